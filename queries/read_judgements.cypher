// Reviewers' judgements naming some record ids (either side).
// :param ids => ['qh-borong-group']
UNWIND $ids AS id
CALL (id) {
  MATCH (j:Judgement {a: id})
  USING INDEX j:Judgement(a)
  RETURN j
  UNION
  MATCH (j:Judgement {b: id})
  USING INDEX j:Judgement(b)
  RETURN j
}
RETURN DISTINCT j {.*} AS judgement
