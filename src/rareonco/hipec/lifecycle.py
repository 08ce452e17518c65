"""An alarm's life: raised, repeated and escalated, acknowledged, re-raised on worsening, cleared.

Rules (issue 19, item 3; the repeat interval and the worsening steps are centre practice, in
line with the IEC 60601-1-8 idea that an unattended alarm condition must keep announcing itself
and escalate rather than fall silent):

- A condition (one alarm type on one probe) that holds for its sustain time raises an alarm at
  ``level`` 1 and opens an *episode*.
- Unacknowledged and still present, it raises again every ``repeat_s`` (default 300 s: "at least
  every 5 minutes"), one level higher each time up to 3.
- Acknowledged, it stays quiet until it *worsens*: its value moves ``worsen_by`` further to the
  dangerous side than the value at the acknowledgement (0.5 C for temperatures, 0.2 L/min for
  flow, 5 min more shortfall for the target); it then raises again one level higher and needs a
  new acknowledgement.
- It clears when the value is back past the threshold by the hysteresis; the episode closes with
  its clearing time. A new occurrence opens a new episode at level 1, except that one within
  ``reopen_s`` (default 120 s) of the clearing continues the episode where it was (level,
  repeat clock, acknowledgement): a value chattering around a threshold as it keeps rising is
  one dangerous episode that must keep escalating, not a string of fresh level-1 alarms.

Every episode is kept as data (:class:`AlarmLife`) for the analysis and the report.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["MAX_LEVEL", "Acknowledgement", "AlarmLife", "AlarmType", "Condition", "Raise"]

MAX_LEVEL = 3


class AlarmType(StrEnum):
    OVER_TEMPERATURE = "over_temperature"
    OVER_TEMPERATURE_PREDICTED = "over_temperature_predicted"
    UNDER_TEMPERATURE = "under_temperature"
    UNDER_TEMPERATURE_PREDICTED = "under_temperature_predicted"
    TARGET_NOT_REACHED = "target_not_reached"
    CORE_TEMPERATURE_HIGH = "core_temperature_high"
    GRADIENT_HIGH = "gradient_high"
    FLOW_LOW = "flow_low"
    RESERVOIR_LOW = "reservoir_low"
    PROBE_SILENT = "probe_silent"
    PROBE_FLATLINE = "probe_flatline"


@dataclass(frozen=True)
class Acknowledgement:
    """Someone (``by``) acknowledged an episode at ``t_s`` when its value was ``value``."""

    t_s: float
    by: str
    value: float

    def to_dict(self) -> dict[str, object]:
        return {"t_s": round(self.t_s, 3), "by": self.by, "value": round(self.value, 3)}


@dataclass(frozen=True)
class AlarmLife:
    """One episode of one condition; times in seconds from the start of the log.

    ``alarms_t_s`` and ``levels`` list every raise (the first, repeats, re-raises on worsening);
    ``worst_value`` is the most dangerous value seen while it lasted; ``cleared_t_s`` is None
    while it lasts.
    """

    episode: int
    type: AlarmType
    probe: str | None
    raised_t_s: float
    alarms_t_s: tuple[float, ...]
    levels: tuple[int, ...]
    acknowledgements: tuple[Acknowledgement, ...]
    cleared_t_s: float | None
    worst_value: float
    limit: float | None

    @property
    def max_level(self) -> int:
        return max(self.levels)

    @property
    def active(self) -> bool:
        return self.cleared_t_s is None

    def to_dict(self) -> dict[str, object]:
        return {
            "episode": self.episode,
            "type": self.type.value,
            "probe": self.probe,
            "raised_t_s": round(self.raised_t_s, 3),
            "alarms_t_s": [round(t, 3) for t in self.alarms_t_s],
            "max_level": self.max_level,
            "acknowledgements": [a.to_dict() for a in self.acknowledgements],
            "cleared_t_s": None if self.cleared_t_s is None else round(self.cleared_t_s, 3),
            "worst_value": round(self.worst_value, 3),
            "limit": None if self.limit is None else round(self.limit, 3),
        }


@dataclass(frozen=True)
class Raise:
    """What :meth:`Condition.update` asks the monitor to announce."""

    level: int
    onset_s: float
    episode: int
    repeat: bool


class Condition:
    """Debounce, hysteresis, episode and escalation of one (type, probe) condition.

    ``higher_is_worse``: the direction in which the value gets more dangerous. ``worsen_by``:
    the step beyond the acknowledged value that re-raises (``inf``: never).
    """

    __slots__ = ("_episode", "acked_value", "acks", "active", "alarms_t", "cleared_t", "current",
                 "episode", "higher_is_worse", "kind", "last_alarm_t", "level", "levels",
                 "limit", "probe", "raised_t", "since", "sustain_s", "worsen_by", "worst")

    def __init__(self, kind: AlarmType, probe: str | None, sustain_s: float,
                 higher_is_worse: bool, worsen_by: float) -> None:
        self.kind = kind
        self.probe = probe
        self.sustain_s = sustain_s
        self.higher_is_worse = higher_is_worse
        self.worsen_by = worsen_by
        self.since: float | None = None
        self.active = False
        self.episode = 0
        self.level = 0
        self.last_alarm_t = 0.0
        self.acked_value: float | None = None
        self.raised_t = 0.0
        self.alarms_t: list[float] = []
        self.levels: list[int] = []
        self.acks: list[Acknowledgement] = []
        self.cleared_t: float | None = None
        self.worst = math.nan
        self.limit: float | None = None
        self.current = math.nan  # the last value seen

    def _worse(self, a: float, b: float) -> bool:
        return a > b if self.higher_is_worse else a < b

    def update(self, t_s: float, met: bool, cleared: bool, value: float, repeat_s: float,
               next_episode: int, limit: float | None = None,
               reopen_s: float = 0.0) -> Raise | None:
        """Advance with one observation; a :class:`Raise` when an alarm must be announced."""
        if not met:
            # Within the hysteresis band the sustain clock keeps running: noise dipping just
            # under the limit must not restart it (a slow rise would otherwise be confirmed
            # only when the noise happens to stay above the limit for the whole sustain).
            if cleared:
                self.since = None
                if self.active:
                    self.active = False
                    self.cleared_t = t_s
            return None
        if self.since is None:
            self.since = t_s
        if not self.active:
            if t_s - self.since < self.sustain_s - 1e-9:
                return None
            if self.cleared_t is not None and self.episode and t_s - self.cleared_t < reopen_s:
                self.active, self.cleared_t = True, None  # the same episode, continued
                return self._escalate(t_s, value, repeat_s)
            self.active, self.episode, self.level = True, next_episode, 1
            self.raised_t, self.last_alarm_t, self.acked_value = t_s, t_s, None
            self.alarms_t, self.levels, self.acks = [t_s], [1], []
            self.cleared_t, self.worst, self.limit = None, value, limit
            return Raise(1, self.since, self.episode, False)
        return self._escalate(t_s, value, repeat_s)

    def _escalate(self, t_s: float, value: float, repeat_s: float) -> Raise | None:
        if self._worse(value, self.worst):
            self.worst = value
        if self.acked_value is None:
            due = t_s - self.last_alarm_t >= repeat_s - 1e-9
        else:
            step = value - self.acked_value if self.higher_is_worse else self.acked_value - value
            due = step >= self.worsen_by - 1e-9
            if due:
                self.acked_value = None
        if not due:
            return None
        self.level = min(MAX_LEVEL, self.level + 1)
        self.last_alarm_t = t_s
        self.alarms_t.append(t_s)
        self.levels.append(self.level)
        assert self.since is not None  # set when the episode was raised
        return Raise(self.level, self.since, self.episode, True)

    def acknowledge(self, t_s: float, by: str, value: float) -> None:
        self.acked_value = value
        self.acks.append(Acknowledgement(t_s, by, value))

    def life(self) -> AlarmLife:
        return AlarmLife(self.episode, self.kind, self.probe, self.raised_t,
                         tuple(self.alarms_t), tuple(self.levels), tuple(self.acks),
                         self.cleared_t, self.worst, self.limit)
