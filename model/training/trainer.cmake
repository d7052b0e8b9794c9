# The trainer (`rwkvt train`, `rwkvt export`, `rwkvt train --benchmark`), included from
# model/CMakeLists.txt.
#
# rwkvt_trainer_core: the pieces that need no LibTorch (training config, learning-rate schedule,
# batch plan, fast log-mel), built and tested everywhere.
add_library(rwkvt_trainer_core STATIC
    training/train_config.cpp
    training/lr_schedule.cpp
    training/batch_plan.cpp
    training/fast_log_mel.cpp)
target_include_directories(rwkvt_trainer_core PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/training ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(rwkvt_trainer_core PUBLIC rwkvt_flags rwkvt_model PRIVATE yaml-cpp Eigen3::Eigen fmt::fmt)

# rwkvt_trainer: the LibTorch loop on top of rwkvt_train (the model and losses). Five translation
# units include torch (each ~9 s and ~1 GB to compile): the loop, one step's tensors and losses,
# checkpoints, c10d data parallelism (which needs Gloo's headers: libgloo-dev), and the benchmark's
# operator profile.
if (RWKVT_TRAINING)
    add_library(rwkvt_trainer STATIC
        training/trainer.cpp
        training/training_step.cpp
        training/checkpoint.cpp
        training/distributed.cpp
        training/operator_profile.cpp)
    target_link_libraries(rwkvt_trainer
        PUBLIC rwkvt_trainer_core rwkvt_train
        PRIVATE rwkvt_runtime rwkvt_audio rwkvt_dataset rwkvt_augment rwkvt_text rwkvt_scoring
                nlohmann_json::nlohmann_json ${TORCH_LIBRARIES})
endif ()
