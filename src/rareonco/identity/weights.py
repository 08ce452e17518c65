"""Agreement and disagreement weights, after Fellegi and Sunter.

Fellegi IP, Sunter AB. A theory for record linkage. J Am Stat Assoc 1969;64(328):1183-1210.
For each field and each level of comparison ("agree", "similar", "differ"...), ``m`` is the
probability of that level when the two records are the same person, ``u`` when they are two
different persons; the level's weight is log2(m/u). Under the model's assumption that fields
agree independently given the match status, the sum of the weights over the compared fields is
the log-likelihood ratio of "same person" against "different persons". A field missing on
either side is not compared and weighs 0.

The m/u values are chosen, not estimated (we have no labelled pairs yet; estimate them with EM
from the platform's own pairs once coordinators have reviewed some, as Fellegi and Sunter
section 3 and Winkler's EM method allow). The reasoning behind each:

* **family name**: agree m 0.92 (marriage, another romanisation we do not cover, a typo),
  u 0.005 (the most common Central Asian family names - Karimov, Rakhimov, Yusupov... - each
  cover about 1-2 % of a population; a pair of strangers shares a family name about 1 in 200);
  similar m 0.05, u 0.02; differ m 0.03, u 0.975.
* **given name**: agree m 0.90 (nicknames, patronymic or not), u 0.01 (given names are
  concentrated); similar m 0.05, u 0.03; differ m 0.05, u 0.96.
* **birth date**: exact m 0.93, u 1e-4 (about 1 in 365 x 30 for patients of all ages, rounded
  up for the heaping of official dates on 1 January); day and month transposed m 0.02 (a
  US-ordered form), u 1e-4; same year only m 0.03, u 0.015; different year m 0.02, u 0.985.
* **sex** (female/male only): agree m 0.97, u 0.5; differ m 0.03, u 0.5.
* **passport** (same issuing country): agree m 0.6 (persons renew passports, so the same
  person often shows another number), u 1e-4 (not the chance collision of two numbers, which
  is far smaller, but the rate of a shared number by error: a minor entered with a parent's
  passport, a number copied from the wrong line); differ m 0.3, u 1.0.
* **national ID** (same country: PINFL, IIN, SNILS): agree m 0.95, u 1e-5 (lifelong numbers,
  still copied by error now and then); differ m 0.02, u 1.0.
* **country** (citizenship): agree m 0.95, u 0.3 (our patients from abroad come from a few
  countries); differ m 0.05, u 0.7.

The score maps the summed weight W to 0-1 as a posterior probability:
score = 1 / (1 + 2 ** -(W - PRIOR_BITS)), where PRIOR_BITS = 14 stands for prior odds of
about 1 : 16,000 that a candidate and one existing person taken from a block (same family
key or birth year) are the same person. Names and birth date agreeing give W of about 27
(score 1.0); twins (family and birth date agree, given names differ) about 19 (0.97): the
model's independence assumption fails for them, which is why `decision` never links on the
score alone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

PRIOR_BITS = 14.0


@dataclass(frozen=True)
class Level:
    """The m and u probabilities of one level of one field's comparison."""

    m: float
    u: float

    @property
    def weight(self) -> float:
        """log2(m/u), in bits."""
        return math.log2(self.m / self.u)


#: (field, level) -> its m and u. Levels: exact, transliteration and first are "agree".
LEVELS: Mapping[tuple[str, str], Level] = MappingProxyType({
    ("family", "agree"): Level(0.92, 0.005),
    ("family", "similar"): Level(0.05, 0.02),
    ("family", "different"): Level(0.03, 0.975),
    ("given", "agree"): Level(0.90, 0.01),
    ("given", "similar"): Level(0.05, 0.03),
    ("given", "different"): Level(0.05, 0.96),
    ("birth_date", "exact"): Level(0.93, 1e-4),
    ("birth_date", "transposed"): Level(0.02, 1e-4),
    ("birth_date", "year_only"): Level(0.03, 0.015),
    ("birth_date", "different"): Level(0.02, 0.985),
    ("sex", "same"): Level(0.97, 0.5),
    ("sex", "different"): Level(0.03, 0.5),
    ("passport", "same"): Level(0.6, 1e-4),
    ("passport", "different"): Level(0.3, 1.0),
    ("national_id", "same"): Level(0.95, 1e-5),
    ("national_id", "different"): Level(0.02, 1.0),
    ("country", "same"): Level(0.95, 0.3),
    ("country", "different"): Level(0.05, 0.7),
})

#: Precomputed weights (bits) of `LEVELS`.
WEIGHTS: Mapping[tuple[str, str], float] = MappingProxyType(
    {key: level.weight for key, level in LEVELS.items()})


def score(total_bits: float) -> float:
    """The 0-1 score of a summed weight (see the module docstring), rounded to 4 places."""
    exponent = PRIOR_BITS - total_bits
    if exponent > 60:
        return 0.0
    return round(1.0 / (1.0 + math.pow(2.0, exponent)), 4)
