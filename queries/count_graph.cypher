// Node and relationship counts by label and type (what a load changed).
CALL () {
  MATCH (n:Entity) RETURN 'Entity' AS what, count(n) AS n
  UNION ALL
  MATCH ()-[r]->() RETURN type(r) AS what, count(r) AS n
}
RETURN what, sum(n) AS n
