gwalk_test_SRCS := x86/gwalk.c
