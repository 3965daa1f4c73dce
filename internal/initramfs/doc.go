// Package initramfs holds what the tests that boot Linux in qemu
// (internal/vmcheck, internal/boottest, luks's kernel test) need to make
// their initramfs: a writer of newc cpio archives, the format the kernel
// unpacks into its initial root (Documentation/driver-api/early-userspace/
// buffer-format.rst), with fixed times, owners and inode numbers so that
// an archive depends only on what is added; and the order to load kernel
// modules in, from depmod's modules.dep, modules.softdep, modules.alias
// and modules.builtin, since the guests have no modprobe.
package initramfs
