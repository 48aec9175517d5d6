#!/usr/bin/env bash
# Installs a build tree into a fresh prefix, checks that the installed
# engine library holds no tool or front-end symbol, then builds and runs an
# embedder's project against the installed package (find_package).
#   tests/install/check-install.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" > "$work/install.log"
lib=$(find "$work/prefix" -name 'libtargeting.a' -o -name 'libtargeting.so' | head -n 1)
[[ -n "$lib" ]] || { echo "no libtargeting installed under $work/prefix"; exit 1; }
# The generator, the bench's synthetic sets, their port data and the command
# are not the engine.
if nm -C --defined-only "$lib" | grep -E 'targeting::(gen|bench|synthetic|cli)::|EmbeddedPortsCsv' > "$work/bad.txt"; then
  echo "the installed engine library has tool symbols:"; head -n 20 "$work/bad.txt"; exit 1
fi
echo "nm: $(nm -C --defined-only "$lib" | grep -c ' T ') defined functions in $(basename "$lib"), none from the tools"
[[ -z $(find "$work/prefix" -name 'libtargeting_tools*') ]] || { echo "targeting_tools was installed"; exit 1; }
cmake -S "$src/tests/install/consumer" -B "$work/consumer" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" \
  > "$work/configure.log" 2>&1 || { cat "$work/configure.log"; exit 1; }
cmake --build "$work/consumer" > "$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
out=$("$work/consumer/consumer" "$src/rules")
echo "consumer: $out"
[[ "$out" == "fired UDR-IPR-0001 score 40 lane yellow" ]] || { echo "unexpected consumer output"; exit 1; }
# The Python module, when it was built: importable from the installed tree.
pkg=$(find "$work/prefix" -path '*-packages/targeting/__init__.py' | head -n 1)
if [[ -n "$pkg" && -x /usr/bin/python3 ]]; then
  site=$(dirname "$(dirname "$pkg")")
  py=$(PYTHONPATH="$site" /usr/bin/python3 -c "
import targeting
r = targeting.Scorer(targeting.compile('$src/rules'), as_of='2026-09-30').score(
    {'record_id': 'B123', 'mode': 'EXPRESS', 'hts_code': '4202.21.6000', 'routing': 'CN;HK',
     'declared_value_usd': 100, 'gross_weight_kg': 20, 'description': 'GUCCI bags'})
print(' '.join(f.id for f in r.fired), r.score, r.lane, targeting.__file__.startswith('$site'))")
  echo "python: $py"
  [[ "$py" == "UDR-IPR-0001 40.0 yellow True" ]] || { echo "unexpected output from the installed Python module"; exit 1; }
fi
