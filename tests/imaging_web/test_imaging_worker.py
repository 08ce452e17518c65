"""The plan worker's recovery after a restart, and the demo without the shared CT."""

from __future__ import annotations

from pathlib import Path

from rareonco.demo import imaging as imaging_demo
from rareonco.demo.loader import DemoCases
from rareonco.records.imaging.jobs import PlanWorker
from rareonco.store.tables.imaging import ImagingStudy, PlanJob


def test_recover_fails_running_and_requeues_queued(db, case_id, tmp_path: Path) -> None:
    with db.session() as session:
        ct = ImagingStudy(case_id=case_id, kind="nifti", filename="gone.nii.gz", size_bytes=1,
                          sha256="0" * 64, storage_path="imaging/ct/gone/ct.nii.gz",
                          shape=[2, 2, 2], spacing_mm=[1, 1, 1], affine=[[1, 0, 0, 0],
                          [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]], orientation="RAS")
        session.add(ct)
        session.flush()
        jobs = [PlanJob(case_id=case_id, ct_id=ct.id, side="left", status=status,
                        tumour_box_mm=[0, 0, 0, 1, 1, 1]) for status in ("running", "queued")]
        session.add_all(jobs)
        session.flush()
        running_id, queued_id = jobs[0].id, jobs[1].id
    worker = PlanWorker(db, tmp_path)
    worker.recover()
    worker.shutdown(wait=True)
    with db.session() as session:
        running, queued = session.get(PlanJob, running_id), session.get(PlanJob, queued_id)
        assert running.status == "failed" and "interrupted" in running.error
        # the queued job ran again: its CT file is gone, so it fails naming the file
        assert queued.status == "failed" and queued.error_field == "ct"
        assert "file not found" in queued.error


def test_demo_without_shared_ct_is_skipped_with_a_note(db, monkeypatch, capsys) -> None:
    missing = Path("/nonexistent/shared/data/ct/abdomen_pelvis_3mm.nii.gz")
    monkeypatch.setattr(imaging_demo, "SHARED_CT", missing)
    with db.session() as session:
        note = imaging_demo.load(session, DemoCases(1, 2))
    assert note is not None and str(missing) in note and "skipped" in note
    assert str(missing) in capsys.readouterr().out
