"""Checking tools: the verdicts on the paper's claims (:mod:`.claims`), the slip arenas that refuse
deliberately wrong lemmas (:mod:`.slips`) and the tightness table (:mod:`.tightness`)."""
