# assert_rc RC ls "$imgs/mnt/PATH" as "RC PATH", with partition 1 (root) mounted at $imgs/mnt
# Test that /usr/def did not end up in the root partition but other files did.
0 /abc
0 /usr
2 /usr/def
# Test that /zzz/usr/prs did not end up in the root partition under /usr but did end up in /zzz/usr/prs
2 /usr/prs
0 /zzz/usr/prs
# Test that /tmp/prs did not end up in the root partition but /tmp did.
0 /tmp
2 /tmp/prs
