capmsr_test_SRCS := vmx/capmsr.c
