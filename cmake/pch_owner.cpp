// The translation unit of a precompiled-header owner (CMakeLists.txt, expectlab_pch_owner): it
// exists so that the PCH has a target to be built for; the targets of its group reuse that PCH.
