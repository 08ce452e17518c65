// 3D view of a pelvic plan's meshes (binary STL in RAS mm), with three.js served from
// /static/vendor/three (no CDN). Scene axes are the patient's: +x = patient's RIGHT, +y anterior,
// +z superior; the camera starts in front of the patient (anterior view), so the patient's right
// is on the viewer's left, as when facing the patient. L/R/A/P/S/I labels sit at the ends of
// the axes so the side is never in doubt.
//
// The element's data attributes report the state for tests and scripts:
// data-status = loading | loaded | error; data-webgl = yes | unavailable;
// data-loaded = names of the meshes parsed; data-triangles = {"implant": n, ...}.
import * as THREE from "three";
import { STLLoader } from "three/addons/STLLoader.js";
import { OrbitControls } from "three/addons/OrbitControls.js";

const MESHES = ["remaining", "resected", "implant"];
const OPACITY = { remaining: 0.35, resected: 0.95, implant: 0.9 };

function webglAvailable() {
  try {
    const c = document.createElement("canvas");
    return !!(c.getContext("webgl2") || c.getContext("webgl"));
  } catch (e) {
    return false;
  }
}

async function loadGeometry(loader, url) {
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const geometry = loader.parse(await response.arrayBuffer());
  geometry.computeVertexNormals();
  return geometry;
}

function label(text, colour, size) {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 128;
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = colour;
  ctx.font = "bold 96px sans-serif";
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  ctx.fillText(text, 64, 68);
  const sprite = new THREE.Sprite(new THREE.SpriteMaterial({
    map: new THREE.CanvasTexture(canvas), depthTest: false, transparent: true }));
  sprite.scale.set(size, size, 1);
  return sprite;
}

function axisLabels(box) {
  const group = new THREE.Group();
  const c = box.getCenter(new THREE.Vector3());
  const size = box.getSize(new THREE.Vector3());
  const pad = 0.12 * Math.max(size.x, size.y, size.z);
  const s = 0.12 * Math.max(size.x, size.y, size.z);
  const place = (text, colour, x, y, z, scale) => {
    const sp = label(text, colour, scale);
    sp.position.set(x, y, z);
    group.add(sp);
  };
  place("R", "#ffd54a", box.max.x + pad, c.y, c.z, 1.4 * s);  // +x: the patient's RIGHT
  place("L", "#7fe0ff", box.min.x - pad, c.y, c.z, 1.4 * s);
  place("A", "#dddddd", c.x, box.max.y + pad, c.z, 0.8 * s);
  place("P", "#dddddd", c.x, box.min.y - pad, c.z, 0.8 * s);
  place("S", "#dddddd", c.x, c.y, box.max.z + pad, 0.8 * s);
  place("I", "#dddddd", c.x, c.y, box.min.z - pad, 0.8 * s);
  const axis = new THREE.BufferGeometry().setFromPoints([
    new THREE.Vector3(box.min.x - pad * 0.6, c.y, c.z), new THREE.Vector3(box.max.x + pad * 0.6, c.y, c.z)]);
  group.add(new THREE.Line(axis, new THREE.LineBasicMaterial({ color: 0x888888 })));
  return group;
}

function show(el, geometries) {
  const renderer = new THREE.WebGLRenderer({ antialias: true });
  renderer.setPixelRatio(window.devicePixelRatio || 1);
  renderer.setSize(el.clientWidth, el.clientHeight);
  renderer.domElement.dataset.testid = "viewer-canvas";
  el.prepend(renderer.domElement);

  const scene = new THREE.Scene();
  scene.background = new THREE.Color(0x20242c);
  const box = new THREE.Box3();
  for (const [name, geometry] of Object.entries(geometries)) {
    const material = new THREE.MeshPhongMaterial({
      color: new THREE.Color(el.dataset[`${name}Colour`] || "#cccccc"), side: THREE.DoubleSide,
      transparent: OPACITY[name] < 1, opacity: OPACITY[name], depthWrite: OPACITY[name] > 0.5,
      shininess: 20 });
    const mesh = new THREE.Mesh(geometry, material);
    mesh.name = name;
    mesh.renderOrder = name === "remaining" ? 2 : 1;  // the translucent bone last
    scene.add(mesh);
    geometry.computeBoundingBox();
    if (geometry.boundingBox && !geometry.boundingBox.isEmpty()) box.union(geometry.boundingBox);
  }
  if (box.isEmpty()) box.set(new THREE.Vector3(-100, -100, -100), new THREE.Vector3(100, 100, 100));
  scene.add(axisLabels(box));

  const centre = box.getCenter(new THREE.Vector3());
  const radius = box.getSize(new THREE.Vector3()).length() / 2;
  const camera = new THREE.PerspectiveCamera(40, el.clientWidth / el.clientHeight, radius / 50, radius * 20);
  camera.up.set(0, 0, 1);  // superior is up
  camera.position.set(centre.x, centre.y + 2.6 * radius, centre.z + 0.3 * radius);  // anterior view
  scene.add(new THREE.AmbientLight(0xffffff, 0.55));
  const light = new THREE.DirectionalLight(0xffffff, 1.6);
  camera.add(light);
  light.position.set(0.3, 0.6, 1);
  scene.add(camera);

  const controls = new OrbitControls(camera, renderer.domElement);
  controls.target.copy(centre);
  controls.update();
  const render = () => renderer.render(scene, camera);
  controls.addEventListener("change", render);
  new ResizeObserver(() => {
    renderer.setSize(el.clientWidth, el.clientHeight);
    camera.aspect = el.clientWidth / el.clientHeight;
    camera.updateProjectionMatrix();
    render();
  }).observe(el);
  render();
}

async function main() {
  const el = document.getElementById("plan-viewer");
  if (!el) return;
  const message = el.querySelector("[data-role=message]");
  const loader = new STLLoader();
  try {
    const entries = await Promise.all(MESHES.map(async (name) =>
      [name, await loadGeometry(loader, el.dataset[`${name}Url`])]));
    const geometries = Object.fromEntries(entries);
    el.dataset.loaded = MESHES.join(",");
    el.dataset.triangles = JSON.stringify(Object.fromEntries(
      entries.map(([name, g]) => [name, g.attributes.position.count / 3])));
    if (webglAvailable()) {
      el.dataset.webgl = "yes";
      show(el, geometries);
    } else {
      el.dataset.webgl = "unavailable";
      message.textContent = "WebGL is not available in this browser: download the STL files below.";
    }
    el.dataset.status = "loaded";
  } catch (err) {
    el.dataset.status = "error";
    message.textContent = `The meshes could not be shown: ${err.message}`;
  }
}

main();
