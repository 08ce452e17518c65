"""End to end in Chromium: the osteosarcoma demo case's CT planning page, its finished plan with
the 3D viewer, and the wrong side refused naming both sides."""

import json
import re

import pytest
from playwright.sync_api import expect

from .conftest import login

pytestmark = pytest.mark.e2e


def _open_osteosarcoma_imaging(page) -> None:
    login(page)
    page.fill("input[name=q]", "Рахим")
    expect(page.locator("#patient-rows tbody tr")).to_have_count(1)
    page.click("text=9180/3")
    expect(page.locator("h1")).to_contain_text("Rakhimov")
    page.click("nav.case-nav >> text=CT planning")
    expect(page).to_have_url(re.compile(r"/cases/\d+/imaging$"))


def test_demo_plan_with_3d_viewer(page) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"{m.text} ({m.location.get('url')})")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    _open_osteosarcoma_imaging(page)
    expect(page.get_by_test_id("ct-studies")).to_contain_text("abdomen_pelvis_3mm.nii.gz")
    expect(page.get_by_test_id("ct-studies")).to_contain_text("122 × 101 × 112")
    jobs = page.get_by_test_id("plan-jobs")
    expect(jobs).to_contain_text("done")
    expect(jobs).to_contain_text("I, IV")
    jobs.locator("a").first.click()
    expect(page).to_have_url(re.compile(r"/imaging/plans/\d+$"))
    expect(page.get_by_test_id("plan-side")).to_contain_text("PATIENT'S LEFT")
    expect(page.get_by_test_id("plan-zones")).to_have_text("I, IV")
    expect(page.get_by_test_id("plan-files")).to_contain_text("implant.stl")
    expect(page.get_by_test_id("plan-files")).to_contain_text("report.pdf")
    expect(page.get_by_test_id("viewer-legend")).to_contain_text("Implant template")
    viewer = page.locator("#plan-viewer")
    print("viewer webgl:", viewer.get_attribute("data-webgl"))
    expect(viewer).to_have_attribute("data-status", "loaded", timeout=30000)
    assert viewer.get_attribute("data-loaded") == "remaining,resected,implant"
    triangles = json.loads(viewer.get_attribute("data-triangles") or "{}")
    assert all(triangles[n] > 100 for n in ("remaining", "resected", "implant")), triangles
    if viewer.get_attribute("data-webgl") == "yes":
        canvas = viewer.locator("canvas")
        expect(canvas).to_have_count(1)
        assert page.evaluate("() => !!document.querySelector('#plan-viewer canvas')"
                             ".getContext('webgl2') || !!document.querySelector("
                             "'#plan-viewer canvas').getContext('webgl')")
    else:  # headless Chromium without WebGL: the meshes were still fetched and parsed
        assert viewer.get_attribute("data-webgl") == "unavailable"
    assert page.locator("img[src$='views.png']").evaluate("img => img.naturalWidth") > 100
    assert not [e for e in errors if "favicon" not in e], errors


def test_wrong_side_is_refused_naming_both_sides(page) -> None:
    _open_osteosarcoma_imaging(page)
    form = page.locator("#plan-create")
    form.locator("input[name=tumour_box]").fill("-90, 101, 184, -50, 141, 224")
    form.locator("input[name=side][value=right]").check()
    form.locator("button[type=submit]").click()
    # refused at once when the CT's symmetry plane is known (the demo plan found it); otherwise
    # the job page shows the pipeline's refusal when the job fails
    error = page.get_by_test_id("plan-error")
    expect(error).to_be_visible(timeout=180000)
    expect(error).to_contain_text("LEFT")
    expect(error).to_contain_text("RIGHT")
    expect(error).to_contain_text("wrong side")
