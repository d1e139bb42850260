tdp_test_SRCS := tdp.c vmx/ept.c svm/npt.c
