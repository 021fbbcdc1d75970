"""Post-process the sgarch fixture MANIFESTs after strip_stylegan_source.py (sgarch helper, /tmp only)."""
import hashlib, os, re, sys
root = sys.argv[1]
for s in sys.argv[2:]:
    d = os.path.join(root, s)
    p = os.path.join(d, "MANIFEST.md")
    t = open(p).read()
    t = t.replace("module_src=<full source of the defining .py file>",
                  "module_src=<the defining .py file's source; in this fixture replaced by a one-line placeholder>")
    pkl = os.path.join(d, "network-snapshot-025000.pkl")
    data = open(pkl, "rb").read()
    # strip_stylegan_source.py left only its placeholder: no module source (every one imports torch).
    assert b"module source omitted from this test fixture" in data
    assert b"import torch" not in data
    sha = hashlib.sha256(data).hexdigest()
    t, n = re.subn(r"\| `network-snapshot-025000.pkl` \| pickle \| \d+ bytes, sha256 `[0-9a-f]+…`",
                   f"| `network-snapshot-025000.pkl` | pickle | {len(data)} bytes, sha256 `{sha[:16]}…`", t)
    assert n == 1
    fam = s.split("-")[0]
    extra = open(os.path.join(os.path.dirname(__file__), "how.md")).read().replace("{SET}", s).replace("{FAMILY}", fam)
    t = t.replace("## Files", extra.strip() + "\n\n## Files", 1)
    open(p, "w").write(t)
    print(p, len(data), sha[:16])
