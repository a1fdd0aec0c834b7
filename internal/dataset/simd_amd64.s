//go:build !purego

#include "textflag.h"

// The UTF-8 check is the "lookup" algorithm of Keiser and Lemire, "Validating UTF-8 In Less Than
// One Instruction Per Byte" (Software: Practice and Experience, 2021), as simdjson implements it:
// three table lookups classify every pair of adjacent bytes, and a subtraction test marks the
// bytes that must continue a three- or four-byte sequence.

// Error bits of the lookup tables.
#define TOO_SHORT 0x01
#define TOO_LONG 0x02
#define OVERLONG_3 0x04
#define TOO_LARGE 0x08
#define SURROGATE 0x10
#define OVERLONG_2 0x20
#define TOO_LARGE_1000 0x40
#define OVERLONG_4 0x40
#define TWO_CONTS 0x80
#define CARRY 0x83

// byte1High: by the high nibble of the previous byte.
DATA byte1High<>+0x00(SB)/1, $TOO_LONG
DATA byte1High<>+0x01(SB)/1, $TOO_LONG
DATA byte1High<>+0x02(SB)/1, $TOO_LONG
DATA byte1High<>+0x03(SB)/1, $TOO_LONG
DATA byte1High<>+0x04(SB)/1, $TOO_LONG
DATA byte1High<>+0x05(SB)/1, $TOO_LONG
DATA byte1High<>+0x06(SB)/1, $TOO_LONG
DATA byte1High<>+0x07(SB)/1, $TOO_LONG
DATA byte1High<>+0x08(SB)/1, $TWO_CONTS
DATA byte1High<>+0x09(SB)/1, $TWO_CONTS
DATA byte1High<>+0x0a(SB)/1, $TWO_CONTS
DATA byte1High<>+0x0b(SB)/1, $TWO_CONTS
DATA byte1High<>+0x0c(SB)/1, $(TOO_SHORT|OVERLONG_2)
DATA byte1High<>+0x0d(SB)/1, $TOO_SHORT
DATA byte1High<>+0x0e(SB)/1, $(TOO_SHORT|OVERLONG_3|SURROGATE)
DATA byte1High<>+0x0f(SB)/1, $(TOO_SHORT|TOO_LARGE|TOO_LARGE_1000|OVERLONG_4)
DATA byte1High<>+0x10(SB)/1, $TOO_LONG
DATA byte1High<>+0x11(SB)/1, $TOO_LONG
DATA byte1High<>+0x12(SB)/1, $TOO_LONG
DATA byte1High<>+0x13(SB)/1, $TOO_LONG
DATA byte1High<>+0x14(SB)/1, $TOO_LONG
DATA byte1High<>+0x15(SB)/1, $TOO_LONG
DATA byte1High<>+0x16(SB)/1, $TOO_LONG
DATA byte1High<>+0x17(SB)/1, $TOO_LONG
DATA byte1High<>+0x18(SB)/1, $TWO_CONTS
DATA byte1High<>+0x19(SB)/1, $TWO_CONTS
DATA byte1High<>+0x1a(SB)/1, $TWO_CONTS
DATA byte1High<>+0x1b(SB)/1, $TWO_CONTS
DATA byte1High<>+0x1c(SB)/1, $(TOO_SHORT|OVERLONG_2)
DATA byte1High<>+0x1d(SB)/1, $TOO_SHORT
DATA byte1High<>+0x1e(SB)/1, $(TOO_SHORT|OVERLONG_3|SURROGATE)
DATA byte1High<>+0x1f(SB)/1, $(TOO_SHORT|TOO_LARGE|TOO_LARGE_1000|OVERLONG_4)
GLOBL byte1High<>(SB), RODATA|NOPTR, $32

// byte1Low: by the low nibble of the previous byte.
DATA byte1Low<>+0x00(SB)/1, $(CARRY|OVERLONG_3|OVERLONG_2|OVERLONG_4)
DATA byte1Low<>+0x01(SB)/1, $(CARRY|OVERLONG_2)
DATA byte1Low<>+0x02(SB)/1, $CARRY
DATA byte1Low<>+0x03(SB)/1, $CARRY
DATA byte1Low<>+0x04(SB)/1, $(CARRY|TOO_LARGE)
DATA byte1Low<>+0x05(SB)/1, $(CARRY|TOO_LARGE|TOO_LARGE_1000)
DATA byte1Low<>+0x06(SB)/1, $(CARRY|TOO_LARGE|TOO_LARGE_1000)
DATA byte1Low<>+0x07(SB)/1, $(CARRY|TOO_LARGE|TOO_LARGE_1000)
DATA byte1Low<>+0x08(SB)/1, $(CARRY|TOO_LARGE|TOO_LARGE_1000)
DATA byte1Low<>+0x09(SB)/1, $(CARRY|TOO_LARGE|TOO_LARGE_1000)
DATA byte1Low<>+0x0a(SB)/1, $(CARRY|TOO_LARGE|TOO_LARGE_1000)
DATA byte1Low<>+0x0b(SB)/1, $(CARRY|TOO_LARGE|TOO_LARGE_1000)
DATA byte1Low<>+0x0c(SB)/1, $(CARRY|TOO_LARGE|TOO_LARGE_1000)
DATA byte1Low<>+0x0d(SB)/1, $(CARRY|TOO_LARGE|TOO_LARGE_1000|SURROGATE)
DATA byte1Low<>+0x0e(SB)/1, $(CARRY|TOO_LARGE|TOO_LARGE_1000)
DATA byte1Low<>+0x0f(SB)/1, $(CARRY|TOO_LARGE|TOO_LARGE_1000)
DATA byte1Low<>+0x10(SB)/1, $(CARRY|OVERLONG_3|OVERLONG_2|OVERLONG_4)
DATA byte1Low<>+0x11(SB)/1, $(CARRY|OVERLONG_2)
DATA byte1Low<>+0x12(SB)/1, $CARRY
DATA byte1Low<>+0x13(SB)/1, $CARRY
DATA byte1Low<>+0x14(SB)/1, $(CARRY|TOO_LARGE)
DATA byte1Low<>+0x15(SB)/1, $(CARRY|TOO_LARGE|TOO_LARGE_1000)
DATA byte1Low<>+0x16(SB)/1, $(CARRY|TOO_LARGE|TOO_LARGE_1000)
DATA byte1Low<>+0x17(SB)/1, $(CARRY|TOO_LARGE|TOO_LARGE_1000)
DATA byte1Low<>+0x18(SB)/1, $(CARRY|TOO_LARGE|TOO_LARGE_1000)
DATA byte1Low<>+0x19(SB)/1, $(CARRY|TOO_LARGE|TOO_LARGE_1000)
DATA byte1Low<>+0x1a(SB)/1, $(CARRY|TOO_LARGE|TOO_LARGE_1000)
DATA byte1Low<>+0x1b(SB)/1, $(CARRY|TOO_LARGE|TOO_LARGE_1000)
DATA byte1Low<>+0x1c(SB)/1, $(CARRY|TOO_LARGE|TOO_LARGE_1000)
DATA byte1Low<>+0x1d(SB)/1, $(CARRY|TOO_LARGE|TOO_LARGE_1000|SURROGATE)
DATA byte1Low<>+0x1e(SB)/1, $(CARRY|TOO_LARGE|TOO_LARGE_1000)
DATA byte1Low<>+0x1f(SB)/1, $(CARRY|TOO_LARGE|TOO_LARGE_1000)
GLOBL byte1Low<>(SB), RODATA|NOPTR, $32

// byte2High: by the high nibble of the byte itself.
DATA byte2High<>+0x00(SB)/8, $0x0101010101010101
DATA byte2High<>+0x08(SB)/1, $(TOO_LONG|OVERLONG_2|TWO_CONTS|OVERLONG_3|TOO_LARGE_1000|OVERLONG_4)
DATA byte2High<>+0x09(SB)/1, $(TOO_LONG|OVERLONG_2|TWO_CONTS|OVERLONG_3|TOO_LARGE)
DATA byte2High<>+0x0a(SB)/1, $(TOO_LONG|OVERLONG_2|TWO_CONTS|SURROGATE|TOO_LARGE)
DATA byte2High<>+0x0b(SB)/1, $(TOO_LONG|OVERLONG_2|TWO_CONTS|SURROGATE|TOO_LARGE)
DATA byte2High<>+0x0c(SB)/4, $0x01010101
DATA byte2High<>+0x10(SB)/8, $0x0101010101010101
DATA byte2High<>+0x18(SB)/1, $(TOO_LONG|OVERLONG_2|TWO_CONTS|OVERLONG_3|TOO_LARGE_1000|OVERLONG_4)
DATA byte2High<>+0x19(SB)/1, $(TOO_LONG|OVERLONG_2|TWO_CONTS|OVERLONG_3|TOO_LARGE)
DATA byte2High<>+0x1a(SB)/1, $(TOO_LONG|OVERLONG_2|TWO_CONTS|SURROGATE|TOO_LARGE)
DATA byte2High<>+0x1b(SB)/1, $(TOO_LONG|OVERLONG_2|TWO_CONTS|SURROGATE|TOO_LARGE)
DATA byte2High<>+0x1c(SB)/4, $0x01010101
GLOBL byte2High<>(SB), RODATA|NOPTR, $32

// classHigh and classLow classify a byte by its two nibbles: bits 0-3 are set in
// classHigh[c>>4] & classLow[c&15] when c may follow a backslash ("\/bfnrtu), bits 4-5 when c
// is a hex digit.
DATA classHigh<>+0x00(SB)/8, $0x0824022010010000
DATA classHigh<>+0x08(SB)/8, $0x0000000000000000
DATA classHigh<>+0x10(SB)/8, $0x0824022010010000
DATA classHigh<>+0x18(SB)/8, $0x0000000000000000
GLOBL classHigh<>(SB), RODATA|NOPTR, $32
DATA classLow<>+0x00(SB)/8, $0x10343838303d3010
DATA classLow<>+0x08(SB)/8, $0x0104000200001010
DATA classLow<>+0x10(SB)/8, $0x10343838303d3010
DATA classLow<>+0x18(SB)/8, $0x0104000200001010
GLOBL classLow<>(SB), RODATA|NOPTR, $32

DATA bcast<>+0x00(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA bcast<>+0x08(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA bcast<>+0x10(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA bcast<>+0x18(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA bcast<>+0x20(SB)/8, $0x2222222222222222
DATA bcast<>+0x28(SB)/8, $0x2222222222222222
DATA bcast<>+0x30(SB)/8, $0x2222222222222222
DATA bcast<>+0x38(SB)/8, $0x2222222222222222
DATA bcast<>+0x40(SB)/8, $0x5c5c5c5c5c5c5c5c
DATA bcast<>+0x48(SB)/8, $0x5c5c5c5c5c5c5c5c
DATA bcast<>+0x50(SB)/8, $0x5c5c5c5c5c5c5c5c
DATA bcast<>+0x58(SB)/8, $0x5c5c5c5c5c5c5c5c
DATA bcast<>+0x60(SB)/8, $0x7575757575757575
DATA bcast<>+0x68(SB)/8, $0x7575757575757575
DATA bcast<>+0x70(SB)/8, $0x7575757575757575
DATA bcast<>+0x78(SB)/8, $0x7575757575757575
DATA bcast<>+0x80(SB)/8, $0xe0e0e0e0e0e0e0e0
DATA bcast<>+0x88(SB)/8, $0xe0e0e0e0e0e0e0e0
DATA bcast<>+0x90(SB)/8, $0xe0e0e0e0e0e0e0e0
DATA bcast<>+0x98(SB)/8, $0xe0e0e0e0e0e0e0e0
DATA bcast<>+0xa0(SB)/8, $0x6060606060606060
DATA bcast<>+0xa8(SB)/8, $0x6060606060606060
DATA bcast<>+0xb0(SB)/8, $0x6060606060606060
DATA bcast<>+0xb8(SB)/8, $0x6060606060606060
DATA bcast<>+0xc0(SB)/8, $0x7070707070707070
DATA bcast<>+0xc8(SB)/8, $0x7070707070707070
DATA bcast<>+0xd0(SB)/8, $0x7070707070707070
DATA bcast<>+0xd8(SB)/8, $0x7070707070707070
DATA bcast<>+0xe0(SB)/8, $0x8080808080808080
DATA bcast<>+0xe8(SB)/8, $0x8080808080808080
DATA bcast<>+0xf0(SB)/8, $0x8080808080808080
DATA bcast<>+0xf8(SB)/8, $0x8080808080808080
DATA bcast<>+0x100(SB)/8, $0x3030303030303030
DATA bcast<>+0x108(SB)/8, $0x3030303030303030
DATA bcast<>+0x110(SB)/8, $0x3030303030303030
DATA bcast<>+0x118(SB)/8, $0x3030303030303030
GLOBL bcast<>(SB), RODATA|NOPTR, $288

// The constants above, 32 bytes each.
#define LOW_NIBBLE bcast<>+0x00(SB)
#define QUOTE bcast<>+0x20(SB)
#define BACKSLASH bcast<>+0x40(SB)
#define LETTER_U bcast<>+0x60(SB)
#define NOT_CONTROL bcast<>+0x80(SB)
#define THIRD_LEAD bcast<>+0xa0(SB)
#define FOURTH_LEAD bcast<>+0xc0(SB)
#define HIGH_BIT bcast<>+0xe0(SB)
#define HEX_BITS bcast<>+0x100(SB)

// HALF classifies the 32 bytes at SI into the 32-bit halves at OFF of the six masks of the
// word at DI, and checks their UTF-8 against the 32 bytes before them in Y9.
#define HALF(OFF) \
	VMOVDQU (SI), Y0 \
	VPSRLW $4, Y0, Y1 \
	VPAND Y10, Y1, Y1 \
	VPAND Y10, Y0, Y2 \
	VPSHUFB Y1, Y12, Y3 \
	VPSHUFB Y2, Y11, Y2 \
	VPAND Y2, Y3, Y3 \
	VPXOR Y7, Y7, Y7 \
	VPCMPEQB QUOTE, Y0, Y4 \
	VPMOVMSKB Y4, AX \
	MOVL AX, (0+OFF)(DI) \
	VPCMPEQB BACKSLASH, Y0, Y4 \
	VPMOVMSKB Y4, AX \
	MOVL AX, (8+OFF)(DI) \
	VPAND NOT_CONTROL, Y0, Y4 \
	VPCMPEQB Y7, Y4, Y4 \
	VPMOVMSKB Y4, AX \
	MOVL AX, (16+OFF)(DI) \
	VPAND HEX_BITS, Y3, Y4 \
	VPCMPEQB Y7, Y4, Y4 \
	VPMOVMSKB Y4, AX \
	MOVL AX, (32+OFF)(DI) \
	VPAND Y10, Y3, Y4 \
	VPCMPEQB Y7, Y4, Y4 \
	VPMOVMSKB Y4, AX \
	MOVL AX, (24+OFF)(DI) \
	VPCMPEQB LETTER_U, Y0, Y4 \
	VPMOVMSKB Y4, AX \
	MOVL AX, (40+OFF)(DI) \
	VPERM2I128 $0x21, Y0, Y9, Y4 \
	VPALIGNR $15, Y4, Y0, Y5 \
	VPALIGNR $14, Y4, Y0, Y6 \
	VPALIGNR $13, Y4, Y0, Y4 \
	VPSHUFB Y1, Y13, Y1 \
	VPSRLW $4, Y5, Y3 \
	VPAND Y10, Y3, Y3 \
	VPSHUFB Y3, Y15, Y3 \
	VPAND Y10, Y5, Y5 \
	VPSHUFB Y5, Y14, Y5 \
	VPAND Y5, Y3, Y3 \
	VPAND Y1, Y3, Y3 \
	VPSUBUSB THIRD_LEAD, Y6, Y6 \
	VPSUBUSB FOURTH_LEAD, Y4, Y4 \
	VPOR Y4, Y6, Y6 \
	VPAND HIGH_BIT, Y6, Y6 \
	VPXOR Y6, Y3, Y3 \
	VPOR Y3, Y8, Y8 \
	VMOVDQU Y0, Y9

// func scanAVX2(data *byte, n int, raw *rawMasks, st *simdState)
//
// For each 64 bytes of data (n is a multiple of 64) it fills one rawMasks, one bit per byte:
// quote, backslash, control (below 0x20), notEscape (not one of "\/bfnrtu), notHex and u. It
// folds the bytes' UTF-8 errors into st[1]; st[0] holds the 32 bytes before data and is left
// holding data's last 32.
TEXT ·scanAVX2(SB), NOSPLIT, $0-32
	MOVQ data+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ raw+16(FP), DI
	MOVQ st+24(FP), DX
	VMOVDQU 0(DX), Y9  // the previous 32 bytes
	VMOVDQU 32(DX), Y8 // UTF-8 errors so far
	VMOVDQU byte1High<>(SB), Y15
	VMOVDQU byte1Low<>(SB), Y14
	VMOVDQU byte2High<>(SB), Y13
	VMOVDQU classHigh<>(SB), Y12
	VMOVDQU classLow<>(SB), Y11
	VMOVDQU LOW_NIBBLE, Y10

loop:
	CMPQ CX, $0
	JEQ  done
	HALF(0)
	ADDQ $32, SI
	HALF(4)
	ADDQ $32, SI
	ADDQ $48, DI
	SUBQ $64, CX
	JMP  loop

done:
	VMOVDQU Y9, 0(DX)
	VMOVDQU Y8, 32(DX)
	VZEROUPPER
	RET

// func scanAVX512(data *byte, n int, stop, bad *uint64, st *scan512State)
//
// For each 64 bytes of data (n is a multiple of 64) it writes one word of stop and one of bad
// (see strMasks), as maskCarry.add derives them from the masks scanAVX2 finds, carrying the
// backslash runs and \u escapes in st from one call to the next. It folds the bytes' UTF-8
// errors into st.errs; st.prev holds the 64 bytes before data and is left holding data's last 64.
TEXT ·scanAVX512(SB), NOSPLIT, $0-40
	MOVQ data+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ stop+16(FP), DI
	MOVQ bad+24(FP), BX
	MOVQ st+32(FP), DX
	VMOVDQU64 0(DX), Z9  // the previous 64 bytes
	VMOVDQU64 64(DX), Z8 // UTF-8 errors so far
	MOVQ 128(DX), R8     // 1 if the bytes before data end in an odd run of backslashes
	MOVQ 136(DX), R9     // the escaped u characters of the word before data
	VBROADCASTI32X4 byte1High<>(SB), Z15
	VBROADCASTI32X4 byte1Low<>(SB), Z14
	VBROADCASTI32X4 byte2High<>(SB), Z13
	VBROADCASTI32X4 classHigh<>(SB), Z12
	VBROADCASTI32X4 classLow<>(SB), Z11
	VBROADCASTI32X4 LOW_NIBBLE, Z10
	VBROADCASTI32X4 QUOTE, Z16
	VBROADCASTI32X4 BACKSLASH, Z17
	VBROADCASTI32X4 LETTER_U, Z18
	VBROADCASTI32X4 NOT_CONTROL, Z19
	VBROADCASTI32X4 THIRD_LEAD, Z20
	VBROADCASTI32X4 FOURTH_LEAD, Z21
	VBROADCASTI32X4 HIGH_BIT, Z22
	VBROADCASTI32X4 HEX_BITS, Z23

loop512:
	CMPQ CX, $0
	JEQ  done512

	// Classify the 64 bytes into mask registers.
	VMOVDQU64 (SI), Z0
	VPSRLW    $4, Z0, Z1
	VPANDQ    Z10, Z1, Z1  // high nibbles
	VPANDQ    Z10, Z0, Z2  // low nibbles
	VPSHUFB   Z1, Z12, Z3
	VPSHUFB   Z2, Z11, Z2
	VPANDQ    Z2, Z3, Z3   // classHigh & classLow
	VPCMPEQB  Z16, Z0, K1  // quote
	VPCMPEQB  Z17, Z0, K2  // backslash
	VPTESTNMB Z19, Z0, K3  // control
	VPTESTNMB Z10, Z3, K4  // notEscape
	VPTESTNMB Z23, Z3, K5  // notHex
	VPCMPEQB  Z18, Z0, K6  // u

	// UTF-8: the bytes one, two and three before each, then the lookups.
	VALIGNQ   $6, Z9, Z0, Z4
	VPALIGNR  $15, Z4, Z0, Z5
	VPALIGNR  $14, Z4, Z0, Z6
	VPALIGNR  $13, Z4, Z0, Z4
	VPSHUFB   Z1, Z13, Z1
	VPSRLW    $4, Z5, Z3
	VPANDQ    Z10, Z3, Z3
	VPSHUFB   Z3, Z15, Z3
	VPANDQ    Z10, Z5, Z5
	VPSHUFB   Z5, Z14, Z5
	VPANDQ    Z5, Z3, Z3
	VPANDQ    Z1, Z3, Z3
	VPSUBUSB  Z20, Z6, Z6
	VPSUBUSB  Z21, Z4, Z4
	VPORQ     Z4, Z6, Z6
	VPANDQ    Z22, Z6, Z6
	VPXORQ    Z6, Z3, Z3
	VPORQ     Z3, Z8, Z8
	VMOVDQA64 Z0, Z9

	// escaped, as maskCarry.add finds it: AX backslashes, R10 evenStarts then evenEnds, R12
	// oddStarts then oddEnds, R8 the odd run carried out.
	KMOVQ K2, AX
	LEAQ  (AX)(AX*1), R10
	ANDNQ AX, R10, R10        // starts = bs &^ (bs << 1)
	MOVQ  $0x5555555555555555, R11
	XORQ  R8, R11             // evenStartMask
	ANDNQ R10, R11, R12       // oddStarts
	ANDQ  R11, R10            // evenStarts
	ADDQ  AX, R10
	ANDNQ R10, AX, R10        // evenEnds = (bs + evenStarts) &^ bs
	ADDQ  AX, R12             // oddSum, and the carry out
	MOVL  $0, R11
	ADCQ  $0, R11
	ORQ   R8, R12
	MOVQ  R11, R8
	ANDNQ R12, AX, R12        // oddEnds = (oddSum | oddRun) &^ bs
	MOVQ  $0xaaaaaaaaaaaaaaaa, R11
	ANDQ  R11, R10
	NOTQ  R11
	ANDQ  R11, R12
	ORQ   R12, R10            // escaped = evenEnds&oddBits | oddEnds&evenBits

	KMOVQ K1, DX
	ANDNQ DX, R10, DX         // the string ends: quote &^ escaped

	// bad = control | escaped&notEscape | hexNeeded&notHex, where hexNeeded is the four bytes
	// after each escaped u, this word's (AX) and the last one's (R9).
	KMOVQ K6, AX
	ANDQ  R10, AX             // escU
	MOVQ  AX, R11
	SHLQ  $1, R9, R11
	MOVQ  AX, R12
	SHLQ  $2, R9, R12
	ORQ   R12, R11
	MOVQ  AX, R12
	SHLQ  $3, R9, R12
	ORQ   R12, R11
	MOVQ  AX, R12
	SHLQ  $4, R9, R12
	ORQ   R12, R11            // hexNeeded
	MOVQ  AX, R9
	KMOVQ K5, AX
	ANDQ  AX, R11
	KMOVQ K4, AX
	ANDQ  R10, AX
	ORQ   AX, R11
	KMOVQ K3, AX
	ORQ   AX, R11
	MOVQ  R11, (BX)
	ORQ   R11, DX             // stop = ends | bad
	MOVQ  DX, (DI)

	ADDQ $64, SI
	ADDQ $8, DI
	ADDQ $8, BX
	SUBQ $64, CX
	JMP  loop512

done512:
	MOVQ      st+32(FP), DX
	VMOVDQU64 Z9, 0(DX)
	VMOVDQU64 Z8, 64(DX)
	MOVQ      R8, 128(DX)
	MOVQ      R9, 136(DX)
	VZEROUPPER
	RET
