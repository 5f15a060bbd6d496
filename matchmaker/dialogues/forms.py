"""The choice form: one rank select per dialogue session, and "none for me"."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField
from wtforms.fields.choices import SelectChoice

from ..forms import BaseForm


class ChoicesForm(BaseForm):
    none = BooleanField(_l("No market dialogues for me"))

    def rank_fields(self) -> list[tuple[int, SelectField]]:
        return [(int(name.split("_", 1)[1]), field) for name, field in self._fields.items()
                if name.startswith("rank_")]

    def ranked_session_ids(self) -> list[int]:
        """The chosen sessions, first choice first (ranks may have gaps)."""
        picked = [(int(field.data), session_id) for session_id, field in self.rank_fields()
                  if field.data]
        return [session_id for _rank, session_id in sorted(picked)]

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        seen: dict[str, SelectField] = {}
        ok = True
        for _session_id, field in self.rank_fields():
            if not field.data:
                continue
            if field.data in seen:
                field.errors.append(_l("Another dialogue already has this rank."))
                ok = False
            seen[field.data] = field
        if self.none.data and seen:
            self.none.errors.append(_l("You ranked some dialogues: clear them, or untick this."))
            ok = False
        return ok


def choices_form(sessions, labels: dict[int, str], current: dict[int, int], *,
                 none: bool, formdata=None) -> ChoicesForm:
    """A ChoicesForm with a `rank_<session id>` select per session.

    Shown filled with `current` (session id -> rank) and `none`; a posted form is
    read from `formdata` alone.
    """
    ranks = [SelectChoice("", _l("Not for me"))] + [
        SelectChoice(str(i), _l("Choice %(rank)d", rank=i)) for i in range(1, len(sessions) + 1)]

    class Form(ChoicesForm):
        pass

    for s in sessions:
        setattr(Form, f"rank_{s.id}", SelectField(labels[s.id], choices=ranks, default=""))
    if formdata is not None:  # a select left out of a post means "not for me"
        return Form(formdata=formdata)
    data = {f"rank_{sid}": str(rank) for sid, rank in current.items()}
    data["none"] = none
    return Form(formdata=None, data=data)
