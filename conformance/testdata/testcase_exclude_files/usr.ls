# assert_rc RC ls "$imgs/mnt/PATH" as "RC PATH", after `mount -t ext4 "${loop}p2" "$imgs/mnt/usr"`
# Test that /usr/qed did not end up in the usr partition but /usr/def did.
0 /usr/def
2 /usr/qed
# Test that /zzz/proc/prs did not end up in the root partition but /proc did.
0 /proc
2 /proc/prs
# Test that /zzz/usr/prs did not end up in the usr partition.
2 /usr/prs
# Test that /oiu/ and /oiu/zzz ended up in the root partition but /oiu/usr did not.
0 /oiu
0 /oiu/zzz
2 /oiu/usr
