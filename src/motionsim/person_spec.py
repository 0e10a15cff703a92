"""Who to follow when an input shows several people: the ``--person`` choice, one for all inputs or one per
input (``"1,0"``: teacher and student in one video), shared by the command line, the web page and the API.

Videos take ``auto`` (whoever the estimator tracks), ``largest``, ``central`` or an index counted from the left
where people are first seen; keypoint files take ``auto`` or an object id (`motionsim.io.load_pose` checks).
"""

from __future__ import annotations

PERSON_HELP = ("who to follow when several people are seen: auto (whoever the estimator tracks; fastest), "
               "largest, central, or an index counted from the left (0 = leftmost) where people are first seen; "
               "two choices separated by a comma apply to A and B (e.g. 1,0: teacher and student in one video); "
               "for keypoint files, an object id or auto")


def person_for(spec: str | int, index: int) -> str:
    """The choice of input ``index`` (0 = A) in ``spec``: one choice for all, or one per input ("1,0").

    Examples
    --------
    >>> person_for("1,0", 1), person_for("largest", 1), person_for("auto", 0)
    ('0', 'largest', 'auto')
    """
    choices = [c.strip() for c in str(spec).split(",")]
    return choices[0] if len(choices) == 1 else choices[min(index, len(choices) - 1)]
