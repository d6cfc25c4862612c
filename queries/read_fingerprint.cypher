// Every entity and relationship with its properties, in a stable order (load provenance nodes left out).
CALL () {
  MATCH (n:Entity)
  RETURN 0 AS part, n.id AS a, '' AS b, labels(n) AS labels, properties(n) AS props
  UNION ALL
  MATCH (x:Entity)-[r]->(y:Entity)
  RETURN 1 AS part, x.id AS a, y.id AS b, [type(r)] AS labels, properties(r) AS props
}
RETURN part, a, b, labels, props
ORDER BY part, a, b, labels, props.key
