ept_npt_test_SRCS := vmx/ept.c svm/npt.c
