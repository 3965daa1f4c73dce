package xfs

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
)

// super is what the fix-up pass needs of the superblock.
type super struct {
	blockSize  int64
	dblocks    uint64
	agBlocks   int64
	agCount    int64
	sectSize   int64
	inodeSize  int
	inoPerBlk  int
	inoPerBlog uint
	agBlkLog   uint
	v5         bool // version 5 (CRCs, version 3 inodes)
	bigtime    bool
	rootIno    uint64
	logStart   uint64 // fs block number of the internal log (0: external)
	logBlocks  int64
	fdblocks   uint64
	// others are inodes mkfs.xfs makes besides the tree's: realtime
	// bitmap and summary, quota inodes (those that exist).
	rbmIno uint64
	others []uint64
}

// readSuper reads the primary superblock of an image.
func readSuper(r io.ReaderAt) (*super, error) {
	b := make([]byte, sbSize)
	if _, err := r.ReadAt(b, 0); err != nil {
		return nil, fmt.Errorf("reading the superblock: %w", err)
	}
	be := binary.BigEndian
	if be.Uint32(b[sbMagic:]) != sbMagicValue {
		return nil, fmt.Errorf("reading the superblock: bad magic %#x", be.Uint32(b[sbMagic:]))
	}
	s := &super{
		blockSize:  int64(be.Uint32(b[sbBlocksize:])),
		dblocks:    be.Uint64(b[sbDblocks:]),
		agBlocks:   int64(be.Uint32(b[sbAgblocks:])),
		agCount:    int64(be.Uint32(b[sbAgcount:])),
		sectSize:   int64(be.Uint16(b[sbSectsize:])),
		inodeSize:  int(be.Uint16(b[sbInodesize:])),
		inoPerBlk:  int(be.Uint16(b[sbInopblock:])),
		inoPerBlog: uint(b[sbInopblog]),
		agBlkLog:   uint(b[sbAgblklog]),
		v5:         be.Uint16(b[sbVersionnum:])&0xf == 5,
		rootIno:    be.Uint64(b[sbRootino:]),
		logStart:   be.Uint64(b[sbLogstart:]),
		logBlocks:  int64(be.Uint32(b[sbLogblocks:])),
		fdblocks:   be.Uint64(b[sbFdblocks:]),
		rbmIno:     be.Uint64(b[sbRbmino:]),
	}
	s.bigtime = s.v5 && be.Uint32(b[sbIncompat:])&incompatBigtime != 0
	for _, off := range []int{sbRbmino, sbRsumino, sbUquotino, sbGquotino, sbPquotino} {
		if off == sbPquotino && !s.v5 {
			continue
		}
		if ino := be.Uint64(b[off:]); ino != 0 && ino != nullIno {
			s.others = append(s.others, ino)
		}
	}
	if s.blockSize == 0 || s.inodeSize == 0 || s.inoPerBlk == 0 {
		return nil, fmt.Errorf("reading the superblock: block size %d, inode size %d", s.blockSize, s.inodeSize)
	}
	return s, nil
}

// inodeOffset is the byte offset of inode ino in the image.
func (s *super) inodeOffset(ino uint64) int64 {
	agShift := s.agBlkLog + s.inoPerBlog
	agno := int64(ino >> agShift)
	agino := ino & (1<<agShift - 1)
	agbno := int64(agino >> s.inoPerBlog)
	slot := int64(agino & (1<<s.inoPerBlog - 1))
	return (agno*s.agBlocks+agbno)*s.blockSize + slot*int64(s.inodeSize)
}

// fsbOffset is the byte offset of a filesystem block number (AG number
// and block within the AG, as in sb_logstart).
func (s *super) fsbOffset(fsb uint64) int64 {
	agno := int64(fsb >> s.agBlkLog)
	agbno := int64(fsb & (1<<s.agBlkLog - 1))
	return (agno*s.agBlocks + agbno) * s.blockSize
}

// checkAGs checks that the headers at the start of every allocation group
// (superblock, AGF, AGI: one sector each) still have their magic numbers
// and that the image kept its size. mkfs.xfs before 6.13 writes a file
// from the start of the one extent it got however short, over whatever
// follows: often the next group's headers, or past the end of the image.
func (s *super) checkAGs(f *os.File, size int64) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.Size() != size {
		return fmt.Errorf("mkfs.xfs wrote past the end of the filesystem: %w", errTooSmall)
	}
	b := make([]byte, 4)
	for ag := range s.agCount {
		for i, magic := range []uint32{sbMagicValue, agfMagicValue, agiMagicValue} {
			if _, err := f.ReadAt(b, ag*s.agBlocks*s.blockSize+int64(i)*s.sectSize); err != nil {
				return fmt.Errorf("reading allocation group %d: %w", ag, err)
			}
			if binary.BigEndian.Uint32(b) != magic {
				return fmt.Errorf("mkfs.xfs wrote file data over the headers of allocation group %d (a file did not get one extent): %w", ag, errTooSmall)
			}
		}
	}
	return nil
}
