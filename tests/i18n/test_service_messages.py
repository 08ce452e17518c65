"""Service messages, refusals and validation errors in the user's language (issue 18)."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import BaseModel, Field, ValidationError

from rareonco import i18n
from rareonco.errors import Conflict, Forbidden, NotFound
from rareonco.i18n.labels import lab_label, probe_label
from rareonco.i18n.service_messages import for_page, pydantic_reason, translate
from rareonco.records.board.protocol_lock import MESSAGES as LOCK
from rareonco.records.board.signing import MESSAGES as SIGNING
from rareonco.web.error_handlers import MESSAGE_TEMPLATES
from rareonco.web.pages.forms import refusal


class _Form(BaseModel):
    pci: int = Field(ge=0, le=39)
    rationale: str = Field(min_length=3)


def _validation_error(**values: object) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        _Form.model_validate(values)
    return info.value


def test_a_permission_refusal_names_the_action_in_russian() -> None:
    with i18n.use_locale("ru"):
        assert translate("role 'coordinator' may not case.read_clinical") == (
            "Ваша роль (координатор) не позволяет читать клиническую запись случая.")
    with i18n.use_locale("en"):
        assert translate("role 'coordinator' may not case.read_clinical") == (
            "Your role (coordinator) may not read the clinical record of a case.")


def test_not_found_and_unknown_messages() -> None:
    with i18n.use_locale("ru"):
        assert translate("board meeting 999 not found") == "Не найдено: заседание консилиума 999."
        # a message nobody translated: the status's sentence first, the English after it
        assert for_page("frobnication failed", 409) == (
            "Это противоречит текущему состоянию записи. (frobnication failed)")
    with i18n.use_locale("en"):
        assert for_page("frobnication failed", 409) == "frobnication failed"


def test_board_rules_are_translated_with_their_values() -> None:
    early = LOCK["too_early"] % {"date": "2026-12-11", "today": "2026-12-04"}
    no_quorum = SIGNING["no_quorum"] % {"missing": "radiologist, pathologist"}
    with i18n.use_locale("ru"):
        assert translate(early, 409, MESSAGE_TEMPLATES).replace("\u202f", " ") == (
            "решение заседания 11 дек. 2026 г. нельзя подписать раньше этой даты "
            "(сегодня 4 дек. 2026 г.)")
        assert translate(no_quorum, 409, MESSAGE_TEMPLATES) == (
            "нет кворума: отсутствуют рентгенолог, патоморфолог")
        assert refusal(Conflict(early))[0].startswith("решение заседания 11 дек.")
        assert refusal(Forbidden(SIGNING["chair_only"])) == (
            "решения заседания подписывает только председатель", 403)
        assert refusal(NotFound("case 7 not found")) == ("Не найдено: случай 7.", 404)


def test_validation_errors_name_the_field_by_its_label() -> None:
    missing = _validation_error(pci=5)
    too_high = _validation_error(pci=40, rationale="yes")
    not_number = _validation_error(pci="abc", rationale="yes")
    with i18n.use_locale("ru"):
        assert refusal(missing) == ("Обоснование: обязательное поле", 422)
        assert refusal(too_high) == (
            "Индекс перитонеального канцероматоза (PCI, 0–39): должно быть не больше 39", 422)
        assert refusal(not_number)[0].endswith("(PCI, 0–39): не целое число")
    with i18n.use_locale("en"):
        assert refusal(missing) == ("rationale: required", 422)  # the field's name in English
        assert pydantic_reason(too_high.errors()[0]) == "must be at most 39"


def test_lab_and_probe_labels() -> None:
    with i18n.use_locale("ru"):
        assert lab_label("anc_10e9_l") == "АЧН, ×10⁹/л"
        assert lab_label("creatinine_umol_l") == "Креатинин, мкмоль/л"
        assert probe_label("ip_pelvis") == "малый таз"
        assert probe_label("ip_liver") == "внутрибрюшинный: liver"
    with i18n.use_locale("en"):
        assert lab_label("anc_10e9_l") == "ANC, ×10⁹/L"
        assert probe_label("ip_pelvis") == "ip_pelvis"  # the machine's name
    assert lab_label("unknown_key") == "unknown_key"


def test_the_common_checks_and_nested_fields() -> None:
    with i18n.use_locale("ru"):
        assert translate("pci: must be within 0-39, got 45") == (
            "Индекс перитонеального канцероматоза (PCI, 0–39): должно быть в пределах 0–39, "
            "получено 45")
        assert translate("drugs.0.dose_mg_m2: must be a number, got 'x'") == (
            "Доза, мг/м²: должно быть числом, получено 'x'")


def test_the_dates_of_a_message_follow_the_locale() -> None:
    with i18n.use_locale("en"):
        day = i18n.format_date(date(2026, 12, 11))
        assert translate(LOCK["locked"] % {"date": "2026-12-11"}, 409, MESSAGE_TEMPLATES) == (
            f"the protocol of the meeting of {day} is locked (every decision is signed): record "
            "a correction as an addendum")


def test_timeline_texts_written_by_the_platform_are_shown_translated() -> None:
    from rareonco.i18n.labels import status_change_summary
    from rareonco.records.board.views import decision_event_summary

    payload = {"version": 2, "intent": "curative", "recommendations": [
        {"kind": "neoadjuvant_chemotherapy", "regimen": "MAP", "cycles": 4}]}
    with i18n.use_locale("ru"):
        assert status_change_summary("admitted → diagnosis_confirmed (slides reviewed)") == (
            "госпитализирован → диагноз подтверждён (slides reviewed)")
        assert decision_event_summary(payload) == (
            "Онкологический консилиум (редакция 2): Цель лечения: радикальная; "
            "неоадъювантная химиотерапия: MAP × 4")
    with i18n.use_locale("en"):
        assert status_change_summary("accepted → admitted") == "accepted → admitted"
        assert decision_event_summary({**payload, "version": 1}) == (
            "Tumour board: Intent: curative; neoadjuvant chemotherapy: MAP × 4")
    assert status_change_summary("free text") == "free text"


def test_the_public_form_language_has_the_status_and_validation_sentences() -> None:
    """Uzbek is offered on the public inquiry form: its refusals and error pages speak it."""
    with i18n.use_locale("uz"):
        assert for_page("Not Found", 404) == "Sahifa topilmadi."
        assert pydantic_reason({"type": "missing"}) == "majburiy maydon"
        assert pydantic_reason({"type": "string_too_short", "ctx": {"min_length": 2}}) == (
            "juda qisqa (kamida 2 ta belgi)")
