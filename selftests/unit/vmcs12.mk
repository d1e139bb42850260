vmcs12_test_SRCS := vmx/vmcs12.c
