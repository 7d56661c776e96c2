#!/usr/bin/env bash
# Re-vendor onnxruntime-web at a pinned version:   ui/components/latent_decoder/ort/update.sh 1.31.1
# Needs npm (the registry only, through `npm pack`) and gzip. Users never run this: the files it
# writes are committed. It keeps only what the page needs for WebAssembly decoding:
#   ort.wasm.bundle.min.mjs          the runtime (ES module; the Emscripten glue is inside it)
#   ort-wasm-simd-threaded.wasm.gz   the WebAssembly binary, gzip -9 -n (the page inflates it with
#                                    DecompressionStream and hands it to ort.env.wasm.wasmBinary)
# and writes MANIFEST.json: version, npm integrity, the sha256 of every vendored file and of the
# upstream .wasm before compression (tests/test_browser_decode.py checks all of them).
set -euo pipefail
VERSION="${1:?usage: update.sh VERSION (e.g. 1.31.1)}"
HERE="$(cd "$(dirname "$0")" && pwd)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
(cd "$TMP" && npm pack --silent "onnxruntime-web@${VERSION}" >/dev/null)
INTEGRITY="$(cd "$TMP" && npm view "onnxruntime-web@${VERSION}" dist.integrity)"
tar -xzf "$TMP/onnxruntime-web-${VERSION}.tgz" -C "$TMP"
cp "$TMP/package/dist/ort.wasm.bundle.min.mjs" "$HERE/"
gzip -9 -n -c "$TMP/package/dist/ort-wasm-simd-threaded.wasm" > "$HERE/ort-wasm-simd-threaded.wasm.gz"
python3 - "$HERE" "$VERSION" "$INTEGRITY" "$TMP/package/dist/ort-wasm-simd-threaded.wasm" <<'PY'
import hashlib, json, sys
from pathlib import Path
here, version, integrity, wasm = Path(sys.argv[1]), sys.argv[2], sys.argv[3], Path(sys.argv[4])
sha = lambda p: hashlib.sha256(Path(p).read_bytes()).hexdigest()
files = ["ort.wasm.bundle.min.mjs", "ort-wasm-simd-threaded.wasm.gz", "LICENSE"]
manifest = {
    "package": "onnxruntime-web", "version": version, "npm_integrity": integrity,
    "source": f"npm pack onnxruntime-web@{version}: dist/ort.wasm.bundle.min.mjs, dist/ort-wasm-simd-threaded.wasm (gzip -9 -n)",
    "license": "MIT (the npm package ships none; LICENSE is microsoft/onnxruntime's, the repository it names)",
    "files": {f: {"sha256": sha(here / f), "bytes": (here / f).stat().st_size} for f in files},
    "wasm_uncompressed": {"name": wasm.name, "sha256": sha(wasm), "bytes": wasm.stat().st_size},
}
(here / "MANIFEST.json").write_text(json.dumps(manifest, indent=1) + "\n")
(here / "VERSION").write_text(version + "\n")
PY
echo "onnxruntime-web ${VERSION} vendored in ${HERE}; run: pytest tests/test_browser_decode.py -k vendored"
