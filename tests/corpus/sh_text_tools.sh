# The text tools busybox scripts lean on.
printf 'banana\napple\ncherry\napple\n' > fruit
sort fruit
sort -u fruit
sort fruit | uniq -c
grep -n an fruit
grep -c apple fruit
grep -v apple fruit
sed 's/a/A/g' fruit
sed -n '2p' fruit
awk 'length($0) > 5 { print NR": "$0 }' fruit
cut -c1-3 fruit
printf 'a:b:c\n1:2:3\n' | cut -d: -f2
mkdir -p d/e; touch d/x d/e/y
find d -type f | sort
find d -name 'y'
printf 'd/x\nd/e/y\n' | xargs ls | sort
echo "a b c" | xargs -n 1 echo item
head -c 5 fruit; echo
tail -n 2 fruit
tr a-z A-Z < fruit | head -n 1
od -c fruit | head -n 2
md5sum fruit
