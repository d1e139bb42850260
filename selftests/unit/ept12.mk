ept12_test_SRCS := vmx/ept12.c
