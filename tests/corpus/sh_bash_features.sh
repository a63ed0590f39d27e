# bash beyond what sh_dynamic_programs touches: indexed and associative
# arrays, here-strings and here-documents, functions (locals, recursion,
# return values, nameref), parameter expansion, [[ ]], arithmetic,
# mapfile, printf -v and traps. sh_bash_process_substitution has <(...).
cat > features.bash <<'BASH'
set -u
# Indexed arrays.
fruits=(apple banana cherry)
fruits+=(date)
fruits[10]=fig
echo "count ${#fruits[@]}, indices ${!fruits[*]}, last ${fruits[-1]}"
echo "slice ${fruits[@]:1:2}"
unset 'fruits[1]'
echo "after unset: ${fruits[*]} (${#fruits[@]})"
for f in "${fruits[@]}"; do printf '<%s>' "$f"; done; echo
words=("two words" three)
printf '[%s]' "${words[@]}"; echo
sorted=($(printf '%s\n' 5 3 9 1 | sort -n))
echo "sorted ${sorted[*]}"

# Associative arrays.
declare -A color=([sky]=blue [grass]=green)
color[sun]=yellow
for key in $(printf '%s\n' "${!color[@]}" | sort); do echo "$key=${color[$key]}"; done
echo "has sky: ${color[sky]+yes}, has moon: ${color[moon]+yes}"
unset 'color[grass]'
echo "keys left ${#color[@]}"
declare -A count=()
for w in a b a c b a; do count[$w]=$(( ${count[$w]:-0} + 1 )); done
for key in a b c; do echo "count $key ${count[$key]}"; done

# Here-strings and here-documents.
read -r first rest <<< "one two three"
echo "first=$first rest=$rest"
tr ' ' '\n' <<< "x y z" | wc -l
cat <<END
here-doc with $first and $(( 2 + 3 ))
END
cat <<'END'
quoted here-doc keeps $first
END
cat <<-END
	tabs stripped
	END

# Functions.
greet() { local name=$1; echo "hello ${name}"; }
greet world
factorial() { (( $1 <= 1 )) && { echo 1; return; }; echo $(( $1 * $(factorial $(( $1 - 1 ))) )); }
echo "10! = $(factorial 10)"
scope() { local x=inner; echo "in function x=$x"; }
x=outer; scope; echo "after function x=$x"
status() { return $1; }
status 42; echo "return status $?"
append() { local -n list=$1; list+=("$2"); }
items=(); append items one; append items two; echo "nameref ${items[*]} (${#items[@]})"
count_args() { echo "$# args, second '$2'"; }
count_args a "b c" d
declare -f greet | head -1
type -t greet

# Parameter expansion, [[ ]], arithmetic.
path=/usr/local/lib/libfoo.so.1
echo "${path##*/} ${path%/*} ${path%%.*} ${path#/usr/}"
s="Hello World"
echo "${s^^} ${s,,} ${#s} ${s:6} ${s/World/There} ${s:0:5}"
echo "${unset_var:-default} ${unset_var2:=assigned} $unset_var2"
[[ $s == Hello* ]] && echo "glob match"
[[ abc123 =~ ^([a-z]+)([0-9]+)$ ]] && echo "regex ${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
[[ -n $s && ! -z $s ]] && echo "logic ok"
(( i = 7, j = i * 6, j > 40 )) && echo "arith $j $(( j % 5 )) $(( 2 ** 10 )) $(( 0x1f )) $(( 8#17 ))"
let "k = 3 << 2"; echo "let $k"
echo {1..5} {a..e..2} file{A,B}.txt

# mapfile, printf -v, brace groups, subshells, traps.
mapfile -t lines <<< $'l1\nl2\nl3'
echo "mapfile ${#lines[@]} ${lines[2]}"
printf -v padded '%05d' 42; echo "printf -v $padded"
{ echo grouped; echo output; } | wc -l
(cd /; echo "subshell in $PWD"); echo "still in $(basename $PWD)"
trap 'echo "ERR trap at status $?"' ERR
false
trap - ERR
f() { trap 'echo "RETURN trap"' RETURN; :; }
f
trap 'echo "EXIT trap"' EXIT
echo "PIPESTATUS: $(true | false | true; echo ${PIPESTATUS[*]})"
set -o pipefail; false | true; echo "pipefail status $?"
exit 3
BASH
bash features.bash
echo "bash status $?"
