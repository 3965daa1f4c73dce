// Package boottest boots the example appliance (testdata/examples: ESP,
// erofs /usr with dm-verity, A/B slots, ext4 root, swap) the way a
// machine does: UEFI firmware (OVMF in qemu) starts systemd-boot from the
// ESP, systemd-boot starts a unified kernel image whose command line
// holds usrhash=, and the UKI's initrd finds /usr, its hash partition and
// root by GPT type and root hash, maps /usr through dm-verity, mounts
// both and reports what it read. The image is built by gorepart in one
// run: --defer-partitions=esp with --then= assembling the UKI once the
// root hash is known (scripts/mkuki, objcopy onto Debian's systemd-stub)
// and --then-copy= putting it and systemd-boot into the ESP.
//
// The helpers here are the pieces the test needs that are not gorepart's:
// the initrd (a newc cpio archive written with internal/initramfs, which
// also orders the modules by modules.dep), the libraries of dmsetup from
// ldd (busybox has no dmsetup and Debian's kernel no dm-mod.create=), and
// the qemu command line (q35, OVMF in pflash, -cpu max, KVM when /dev/kvm
// opens, else TCG). init.sh is the initrd's /init.
//
// The tests (boot_test.go) boot the image as a virtio disk and as a CD
// (the image built with --el-torito=yes, attached with media=cdrom), and
// with one byte of /usr's file data flipped, which must end in the
// failure marker and a dm-verity error instead of the OK marker:
//
//	go test ./internal/boottest -v    # about a minute under TCG
//
// GOREPART_BOOT_KEEP=FILE keeps a copy of the built image, to boot by
// hand (with a copy of OVMF_VARS.fd as vars.fd; -cdrom FILE for a CD):
//
//	qemu-system-x86_64 -machine q35 -cpu max -m 512 -nographic \
//	  -drive if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE.fd \
//	  -drive if=pflash,format=raw,unit=1,file=vars.fd \
//	  -drive if=virtio,format=raw,snapshot=on,file=FILE
//
// The Debian packages
// the test needs: qemu-system-x86 ovmf systemd-boot-efi binutils
// linux-image-amd64 busybox-static dmsetup cryptsetup-bin cpio.
package boottest
