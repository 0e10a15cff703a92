"""Who to follow when an input shows several people: the ``--person`` choice, one for all inputs or one per
input (``"1,0"``: teacher and student in one video), shared by the command line, the web page and the API.

Videos take ``auto`` (whoever the estimator tracks), ``largest``, ``central`` or an index counted from the left
where people are first seen; keypoint files take ``auto`` or an object id (`motionsim.io.load_pose` checks).
``all`` takes everyone (`motionsim.io.load_people`): in ``extract``, and on one side of ``compare``
(`person_choices`).
"""

from __future__ import annotations

from .errors import PoseFormatError

#: The choice that takes everyone in an input, each with their own id.
ALL = "all"

PERSON_HELP = ("who to follow when several people are seen: auto (whoever the estimator tracks; fastest), "
               "largest, central, or an index counted from the left (0 = leftmost) where people are first seen; "
               "two choices separated by a comma apply to A and B (e.g. 1,0: teacher and student in one video); "
               "for keypoint files, an object id or auto. all: everyone, each with a stable id (extract writes them "
               "all; in compare one side at most, e.g. auto,all scores everyone in B against A; all alone means B)")


def person_for(spec: str | int, index: int) -> str:
    """The choice of input ``index`` (0 = A) in ``spec``: one choice for all, or one per input ("1,0").

    Examples
    --------
    >>> person_for("1,0", 1), person_for("largest", 1), person_for("auto", 0)
    ('0', 'largest', 'auto')
    """
    choices = [c.strip() for c in str(spec).split(",")]
    return choices[0] if len(choices) == 1 else choices[min(index, len(choices) - 1)]


def person_choices(spec: str | int, n_inputs: int = 2) -> list[str]:
    """The choice of each of ``n_inputs`` inputs (`person_for`), where ``all`` (everyone) may be the choice of
    one input at most, and ``all`` alone means the last input (B: everyone in B against A).

    Raises
    ------
    PoseFormatError
        for ``all`` on more than one input.

    Examples
    --------
    >>> person_choices("all"), person_choices("all,0"), person_choices("1,0")
    (['auto', 'all'], ['all', '0'], ['1', '0'])
    """
    choices = [c.strip() for c in str(spec).split(",")]
    if choices.count(ALL) > 1 or (len(choices) == 1 and choices[0] == ALL and n_inputs > 2):
        raise PoseFormatError(f"--person {spec}: 'all' (everyone) may be the choice of one input only, e.g. "
                              f"auto,all to score everyone in B against the person in A")
    if choices == [ALL]:
        return ["auto"] * (n_inputs - 1) + [ALL]
    return [person_for(spec, i) for i in range(n_inputs)]
