// A load written without materialising: the next materialisation recomputes the whole graph.
// :param ruleset => 'majority'
MERGE (run:ControlRun {ruleset: $ruleset})
SET run.stale = true
