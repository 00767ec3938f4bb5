#!/usr/bin/env bash
# Builds the browser widget into static/widget/ (gitignored), ready for the relay to serve:
#   widget.js             the loader (static/loader/widget.js) with the app's hashed names filled
#                         in, minified by terser
#   app-<hash8>.js        wasm-bindgen's ES module glue with the web chat's browser side
#                         (static/loader/chat.js) appended, minified by terser: it loads with the
#                         panel in the same request, never with the launcher
#   app-<hash8>_bg.wasm   the Leptos app, optimised with binaryen's wasm-opt -Oz
#   *.br, *.gz            brotli (q11) and gzip (-9) copies the relay serves precompressed
#   sizes.txt             what a visitor downloads, raw / gzip / brotli
#
# Runs from any directory on a fresh machine with rustup, cargo and node/npm on PATH. It installs
# what it needs: the wasm32 target, wasm-bindgen-cli at exactly the version in Cargo.lock (the
# CLI and the crate must match), and binaryen and terser from npm into target/widget-tools/.
# Debian's binaryen package is too old: its wasm-opt output throws `WebAssembly.Table.set()` in
# Chromium.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
TOOLS="$TARGET_DIR/widget-tools"
OUT="$ROOT/static/widget"
LOADER="$ROOT/static/loader/widget.js"
CHAT="$ROOT/static/loader/chat.js"
BINARYEN_VERSION="132.0.0"
# Minifying the JavaScript (loader, glue, chat) saves ~3 KB of brotli, which the chat needed to
# stay within the panel's budget. Names and comments only: no property mangling, so the glue's
# import names and the loader's API stay as written.
TERSER_VERSION="5.51.4"
# Exactly the features rustc's wasm32 default CPU emits (see the module's target_features
# section); wasm-opt must neither reject them nor assume more.
WASM_FEATURES=(--enable-bulk-memory --enable-bulk-memory-opt --enable-nontrapping-float-to-int
  --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue
  --enable-call-indirect-overlong)

step() { printf '\n==> %s\n' "$*" >&2; }

step "wasm32 target"
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi

step "wasm-bindgen-cli"
[ -f Cargo.lock ] || cargo generate-lockfile
WBG_VERSION="$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
[ -n "$WBG_VERSION" ] || { echo "wasm-bindgen not found in Cargo.lock" >&2; exit 1; }
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
WBG="$CARGO_BIN/wasm-bindgen"
[ -x "$WBG" ] || WBG="$(command -v wasm-bindgen || true)"
if [ -z "$WBG" ] || [ "$("$WBG" --version 2>/dev/null)" != "wasm-bindgen $WBG_VERSION" ]; then
  # Not --locked: with it the install fails on a yanked transitive dependency (webpki-roots).
  cargo install wasm-bindgen-cli --version "$WBG_VERSION"
  WBG="$CARGO_BIN/wasm-bindgen"
fi
echo "using $("$WBG" --version)" >&2

step "binaryen $BINARYEN_VERSION and terser $TERSER_VERSION (npm)"
WASM_OPT="$TOOLS/node_modules/.bin/wasm-opt"
TERSER="$TOOLS/node_modules/.bin/terser"
if ! { [ -x "$WASM_OPT" ] && "$WASM_OPT" --version | grep -q "version ${BINARYEN_VERSION%%.*} "; } ||
  ! { [ -x "$TERSER" ] && [ "$("$TERSER" --version)" = "terser $TERSER_VERSION" ]; }; then
  mkdir -p "$TOOLS"
  npm install --prefix "$TOOLS" --no-audit --no-fund --loglevel=error \
    "binaryen@$BINARYEN_VERSION" "terser@$TERSER_VERSION"
fi

step "cargo build (wasm-release)"
cargo build -p ferry-widget --target wasm32-unknown-unknown --profile wasm-release
WASM_IN="$TARGET_DIR/wasm32-unknown-unknown/wasm-release/ferry_widget.wasm"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

step "wasm-bindgen --target web"
"$WBG" --target web --no-typescript --out-dir "$WORK" --out-name app "$WASM_IN"

step "wasm-opt -Oz"
"$WASM_OPT" -Oz "${WASM_FEATURES[@]}" --strip-producers --strip-target-features \
  -o "$WORK/app.opt.wasm" "$WORK/app_bg.wasm"

step "hashed names, loader, compression"
# terser FILE [--module]: FILE minified on stdout, comments dropped.
minify() {
  "$TERSER" "$1" ${2:-} --compress --mangle --comments false
}
hash8() {
  node -e 'const c = require("crypto"), fs = require("fs");
console.log(c.createHash("sha256").update(fs.readFileSync(process.argv[1])).digest("hex").slice(0, 8))' "$1"
}
mkdir -p "$WORK/out"
WASM_NAME="app-$(hash8 "$WORK/app.opt.wasm")_bg.wasm"
cp "$WORK/app.opt.wasm" "$WORK/out/$WASM_NAME"
# The glue's default wasm URL (`new URL('app_bg.wasm', import.meta.url)`) is only a fallback —
# the loader passes the URL explicitly — but keep it pointing at a file that exists.
grep -q "'app_bg.wasm'" "$WORK/app.js" || { echo "wasm file name not found in the JS glue" >&2; exit 1; }
sed "s/'app_bg\.wasm'/'$WASM_NAME'/g" "$WORK/app.js" >"$WORK/app.full.js"
cat "$CHAT" >>"$WORK/app.full.js"
minify "$WORK/app.full.js" --module >"$WORK/app.min.js"
minify "$CHAT" --module >"$WORK/chat.js"
printf '/*! Ferry widget app: wasm-bindgen glue + static/loader/chat.js */\n' | cat - "$WORK/app.min.js" >"$WORK/app.fixed.js"
cp "$WORK/app.fixed.js" "$WORK/check.mjs"
node --check "$WORK/check.mjs"
JS_NAME="app-$(hash8 "$WORK/app.fixed.js").js"
cp "$WORK/app.fixed.js" "$WORK/out/$JS_NAME"

for placeholder in __FERRY_APP_JS__ __FERRY_APP_WASM__; do
  grep -q "$placeholder" "$LOADER" || { echo "$placeholder missing from $LOADER" >&2; exit 1; }
done
sed -e "s/__FERRY_APP_JS__/$JS_NAME/g" -e "s/__FERRY_APP_WASM__/$WASM_NAME/g" "$LOADER" >"$WORK/loader.js"
{
  printf '/*! Ferry widget loader; documented source: static/loader/widget.js */\n'
  minify "$WORK/loader.js"
} >"$WORK/out/widget.js"
node --check "$WORK/out/widget.js"

# Node's zlib has both codecs built in, so no brotli/zopfli packages are needed anywhere.
cp "$WORK/chat.js" "$WORK/chat-part.js"
node - "$WORK/out" widget.js "$JS_NAME" "$WASM_NAME" "$WORK/chat-part.js" <<'NODE'
const fs = require("fs"), path = require("path"), zlib = require("zlib");
const [dir, loader, js, wasm, chat] = process.argv.slice(2);
const sizes = {};
for (const name of [loader, js, wasm, chat]) {
  const raw = fs.readFileSync(path.resolve(dir, name));
  const gz = zlib.gzipSync(raw, { level: 9 });
  const br = zlib.brotliCompressSync(raw, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
      [zlib.constants.BROTLI_PARAM_MODE]: name.endsWith(".wasm")
        ? zlib.constants.BROTLI_MODE_GENERIC
        : zlib.constants.BROTLI_MODE_TEXT,
    },
  });
  if (name !== chat) {
    fs.writeFileSync(path.join(dir, name + ".gz"), gz);
    fs.writeFileSync(path.join(dir, name + ".br"), br);
  }
  sizes[name] = [raw.length, gz.length, br.length];
}
const sum = (names) => [0, 1, 2].map((i) => names.reduce((n, f) => n + sizes[f][i], 0));
const rows = [
  ["loader (widget.js): shows the launcher", sizes[loader]],
  ["app JS: glue + chat (" + js + ")", sizes[js]],
  ["  of which the chat alone (chat.js, minified on its own)", sizes[chat]],
  ["app wasm (" + wasm + ")", sizes[wasm]],
  ["loader + app JS + wasm: opens the panel", sum([loader, js, wasm])],
];
const fmt = (n) => n.toLocaleString("en-US").padStart(9);
const lines = [
  "bytes".padEnd(58) + "      raw      gzip    brotli",
  ...rows.map(([label, [raw, gz, br]]) => label.padEnd(58) + fmt(raw) + " " + fmt(gz) + " " + fmt(br)),
];
fs.writeFileSync(path.join(dir, "sizes.txt"), lines.join("\n") + "\n");
NODE

step "install into static/widget/"
mkdir -p "$OUT"
# App files first and the loader last, so a relay serving this directory mid-build never hands
# out a loader whose app files are not there yet.
for f in "$WORK/out/app-"* "$WORK/out/sizes.txt"; do
  cp "$f" "$OUT/.tmp-$(basename "$f")" && mv -f "$OUT/.tmp-$(basename "$f")" "$OUT/$(basename "$f")"
done
for f in widget.js.br widget.js.gz widget.js; do
  cp "$WORK/out/$f" "$OUT/.tmp-$f" && mv -f "$OUT/.tmp-$f" "$OUT/$f"
done
for f in "$OUT"/app-*; do
  case "$(basename "$f")" in
    "$JS_NAME" | "$JS_NAME".br | "$JS_NAME".gz | "$WASM_NAME" | "$WASM_NAME".br | "$WASM_NAME".gz) ;;
    *) rm -f "$f" ;;
  esac
done

step "sizes (also in static/widget/sizes.txt)"
cat "$OUT/sizes.txt"
