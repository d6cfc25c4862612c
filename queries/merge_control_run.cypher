// Record when the materialised control of a ruleset was last computed, and for which date (and that it is whole).
// A whole recomputation ($whole) starts a new generation of stored answers: every older one is outdated.
// :param ruleset => 'majority'
// :param as_of => date()
// :param whole => false
MERGE (run:ControlRun {ruleset: $ruleset})
SET run.as_of = $as_of, run.computed_at = datetime(), run.stale = null,
    run.answers_gen = CASE WHEN $whole THEN coalesce(run.answers_gen, 0) + 1 ELSE coalesce(run.answers_gen, 0) END
