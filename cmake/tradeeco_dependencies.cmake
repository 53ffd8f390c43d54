# All dependencies come from Debian packages (see tools/install_deps.sh). Versions differ between
# Debian 12 and 13 (oneTBB 2021/2022, HDF5 1.10/1.14, Boost 1.74/1.83, Catch2 2.13/3); the code
# is written against the API common to both.
find_package(TBB REQUIRED)
find_package(HDF5 REQUIRED COMPONENTS C HL)
find_package(Boost 1.74 REQUIRED CONFIG) # BoostConfig: Debian ships it; FindBoost is deprecated (CMP0167)
find_package(tomlplusplus REQUIRED)

find_path(RANDOM123_INCLUDE_DIR Random123/philox.h REQUIRED)
add_library(random123 INTERFACE)
target_include_directories(random123 SYSTEM INTERFACE ${RANDOM123_INCLUDE_DIR})

# HDF5's imported targets differ between CMake versions and Debian's packaging; wrap them.
add_library(tradeeco_hdf5 INTERFACE)
target_include_directories(tradeeco_hdf5 SYSTEM INTERFACE ${HDF5_INCLUDE_DIRS})
target_link_libraries(tradeeco_hdf5 INTERFACE ${HDF5_HL_LIBRARIES} ${HDF5_C_LIBRARIES})
target_compile_definitions(tradeeco_hdf5 INTERFACE ${HDF5_DEFINITIONS})
