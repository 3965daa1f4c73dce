package verity

// PartitionUUIDs returns the partition UUIDs repart gives a verity pair whose
// UUID= is unset: the first 16 bytes of the root hash for the data partition
// and the last 16 for the hash partition, raw, without version bits
// (repart.md §4.2). Both are in textual byte order.
func PartitionUUIDs(rootHash [32]byte) (data, hash [16]byte) {
	copy(data[:], rootHash[:16])
	copy(hash[:], rootHash[16:])
	return data, hash
}
