decode_test_SRCS := x86/decode.c
