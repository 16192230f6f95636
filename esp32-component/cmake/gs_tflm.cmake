# TensorFlow Lite Micro on the host: the exact TFLM the firmware links (esp-tflite-micro 1.4.0 at a
# pinned commit), built with its reference kernels, so the component's own TFLM backend
# (src/gs_model_tflm.cc) and op resolver run every packaged model here as they will on the device.
#
# Where the sources come from, the way FetchContent finds a source:
#   1. FETCHCONTENT_SOURCE_DIR_ESP_TFLITE_MICRO, when set (a local checkout of the pinned commit);
#   2. else ../shared/third_party/esp-tflite-micro beside the repository (this project's pinned copy);
#   3. else the pinned commit from upstream (git), when the network allows it.
# When none is available the conformance test is registered as a visible skip with the reason (and
# fails instead when CI=true: CI must run it). -DGS_TFLM=OFF leaves it out on purpose.
#
# The library (~120 sources, a few minutes on 2 cores) is built once into a cache folder outside the
# build tree (GS_TFLM_CACHE_DIR, default ~/.cache/gyrosentinel/tflm-<commit>-<compiler>-<hash of the source path>) that
# `mvn clean` keeps; later builds only check that it is up to date.
#
# Defines GS_TFLM_AVAILABLE, GS_TFLM_UNAVAILABLE_REASON and, when available, the imported target
# gs::tflm (static library + include dirs + TF_LITE_STATIC_MEMORY).
include_guard(GLOBAL)
include(FetchContent)
include(ExternalProject)

option(GS_TFLM "Build TensorFlow Lite Micro for the host and run the conformance tests" ON)
set(GS_TFLM_COMMIT 99f49e1498b0984f4db54d9bf3938aceb99ad422)
set(GS_TFLM_REPOSITORY https://github.com/espressif/esp-tflite-micro.git)
set(GS_TFLM_AVAILABLE OFF)
set(GS_TFLM_UNAVAILABLE_REASON "")

if(NOT GS_TFLM)
    set(GS_TFLM_UNAVAILABLE_REASON "configured with -DGS_TFLM=OFF")
    return()
endif()

get_filename_component(gs_tflm_shared "${CMAKE_CURRENT_LIST_DIR}/../../../shared/third_party/esp-tflite-micro"
                       ABSOLUTE)
if(NOT FETCHCONTENT_SOURCE_DIR_ESP_TFLITE_MICRO AND EXISTS "${gs_tflm_shared}/tensorflow/lite/micro")
    set(FETCHCONTENT_SOURCE_DIR_ESP_TFLITE_MICRO "${gs_tflm_shared}")
endif()
if(NOT FETCHCONTENT_SOURCE_DIR_ESP_TFLITE_MICRO)
    # Only try upstream when it answers: a failed clone would stop the whole configure.
    find_package(Git QUIET)
    set(gs_tflm_reachable 1)
    if(GIT_FOUND)
        execute_process(COMMAND "${GIT_EXECUTABLE}" ls-remote --exit-code "${GS_TFLM_REPOSITORY}" HEAD
                        RESULT_VARIABLE gs_tflm_reachable OUTPUT_QUIET ERROR_QUIET TIMEOUT 30)
    endif()
    if(NOT gs_tflm_reachable EQUAL 0)
        set(GS_TFLM_UNAVAILABLE_REASON
            "TensorFlow Lite Micro sources not found: no ${gs_tflm_shared}, no FETCHCONTENT_SOURCE_DIR_ESP_TFLITE_MICRO, and ${GS_TFLM_REPOSITORY} is not reachable")
        return()
    endif()
endif()

FetchContent_Declare(esp_tflite_micro GIT_REPOSITORY "${GS_TFLM_REPOSITORY}" GIT_TAG "${GS_TFLM_COMMIT}")
FetchContent_GetProperties(esp_tflite_micro)
if(NOT esp_tflite_micro_POPULATED)
    FetchContent_Populate(esp_tflite_micro)
endif()
set(GS_TFLM_SOURCE_DIR "${esp_tflite_micro_SOURCE_DIR}")
if(NOT EXISTS "${GS_TFLM_SOURCE_DIR}/tensorflow/lite/micro/micro_interpreter.cc")
    set(GS_TFLM_UNAVAILABLE_REASON "${GS_TFLM_SOURCE_DIR} does not hold TensorFlow Lite Micro")
    return()
endif()

enable_language(CXX)
string(SUBSTRING "${GS_TFLM_COMMIT}" 0 12 gs_tflm_short)
# One cache per TFLM source location and compiler: a CMake build folder remembers the paths it was made from, so
# two checkouts (a developer's, CI's clone elsewhere) must not share one.
string(MD5 gs_tflm_where "${GS_TFLM_SOURCE_DIR}")
string(SUBSTRING "${gs_tflm_where}" 0 8 gs_tflm_where)
set(GS_TFLM_CACHE_DIR
    "$ENV{HOME}/.cache/gyrosentinel/tflm-${gs_tflm_short}-${CMAKE_CXX_COMPILER_ID}-${CMAKE_CXX_COMPILER_VERSION}-${gs_tflm_where}"
    CACHE PATH "Where the host TensorFlow Lite Micro library is built and kept across clean builds")
# The little project that builds it is copied into the cache, so its source folder does not depend on where this
# checkout is either (the copy is refreshed when the checkout's version changes).
configure_file("${CMAKE_CURRENT_LIST_DIR}/tflm_host/CMakeLists.txt" "${GS_TFLM_CACHE_DIR}/src/CMakeLists.txt" COPYONLY)
set(gs_tflm_lib "${GS_TFLM_CACHE_DIR}/install/lib/${CMAKE_STATIC_LIBRARY_PREFIX}tflm${CMAKE_STATIC_LIBRARY_SUFFIX}")
ExternalProject_Add(gs_tflm_build
    SOURCE_DIR "${GS_TFLM_CACHE_DIR}/src"
    BINARY_DIR "${GS_TFLM_CACHE_DIR}/build"
    INSTALL_DIR "${GS_TFLM_CACHE_DIR}/install"
    CMAKE_ARGS -DTFLM_SOURCE_DIR=${GS_TFLM_SOURCE_DIR} -DCMAKE_BUILD_TYPE=Release
               -DCMAKE_C_COMPILER=${CMAKE_C_COMPILER} -DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER}
               -DCMAKE_INSTALL_PREFIX=<INSTALL_DIR>
    BUILD_COMMAND ${CMAKE_COMMAND} --build <BINARY_DIR> --parallel 2
    BUILD_BYPRODUCTS "${gs_tflm_lib}"
    LOG_CONFIGURE ON LOG_BUILD ON LOG_INSTALL ON LOG_OUTPUT_ON_FAILURE ON
    USES_TERMINAL_BUILD OFF)

add_library(gs_tflm STATIC IMPORTED GLOBAL)
set_target_properties(gs_tflm PROPERTIES IMPORTED_LOCATION "${gs_tflm_lib}")
target_include_directories(gs_tflm SYSTEM INTERFACE "${GS_TFLM_SOURCE_DIR}"
    "${GS_TFLM_SOURCE_DIR}/third_party/flatbuffers/include" "${GS_TFLM_SOURCE_DIR}/third_party/gemmlowp"
    "${GS_TFLM_SOURCE_DIR}/third_party/ruy" "${GS_TFLM_SOURCE_DIR}/third_party/kissfft")
target_compile_definitions(gs_tflm INTERFACE TF_LITE_STATIC_MEMORY TF_LITE_DISABLE_X86_NEON)
add_dependencies(gs_tflm gs_tflm_build)
add_library(gs::tflm ALIAS gs_tflm)
set(GS_TFLM_AVAILABLE ON)
