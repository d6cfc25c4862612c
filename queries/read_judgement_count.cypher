// How many judgements the graph holds (the count store answers at once): none, and a load reads none.
MATCH (j:Judgement)
RETURN count(j) AS n
