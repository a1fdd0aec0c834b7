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
