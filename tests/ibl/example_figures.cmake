# CTest examples/ibl (tests/CMakeLists.txt): runs the IBL example (examples/ibl.cpp) with a tiny
# network and a few steps, checks its outputs, then runs scripts/plot_ibl.py on them and checks
# that every PNG it lists is written and is a PNG. Without matplotlib the plot part is skipped
# with a message (the test's SKIP_REGULAR_EXPRESSION).
#   cmake -DEXAMPLE=<ibl> -DSCRIPT=<plot_ibl.py> -DOUT=<scratch dir> -P example_figures.cmake
file(REMOVE_RECURSE "${OUT}")
execute_process(COMMAND "${EXAMPLE}" --out "${OUT}/run" --units 12 --steps 40 --lr 0.01 --check-every 20
                        --check-blocks 4 --eval-blocks 12
                RESULT_VARIABLE rc OUTPUT_VARIABLE log ERROR_VARIABLE log)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "examples/ibl exited with ${rc}:\n${log}")
endif()
foreach(f curves.csv summary.json progress.csv losses.npy W_rec.npy W_in.npy W_out.npy b.npy b_out.npy)
  if(NOT EXISTS "${OUT}/run/${f}")
    message(FATAL_ERROR "examples/ibl did not write ${f}")
  endif()
endforeach()

# summary.json: 40 steps done; the exact Bayesian actor acts correctly on > 90 % of its actions on
# the 12-block held-out session; the pooled mice (three <mouse>.csv files) between 60 and 95 %.
file(READ "${OUT}/run/summary.json" summary)
string(JSON steps GET "${summary}" training steps_done)
string(JSON actor GET "${summary}" held_out bayesian_actor fraction_of_actions_correct)
string(JSON mice GET "${summary}" mice pooled fraction_of_actions_correct)
string(JSON n_mice LENGTH "${summary}" mice files)
if(NOT steps EQUAL 40 OR actor LESS 0.9 OR mice LESS 0.6 OR mice GREATER 0.95 OR NOT n_mice EQUAL 3)
  message(FATAL_ERROR "unexpected summary.json: steps ${steps}, actor ${actor}, mice ${mice} (${n_mice} files)")
endif()
# curves.csv: every curve of the agents that always act or respond (the network may not act yet).
file(READ "${OUT}/run/curves.csv" curves)
foreach(agent bayesian_actor bayesian_observer mice)
  foreach(curve psychometric,all psychometric,concordant psychometric,discordant chronometric,concordant
                chronometric,discordant block_change,all block_change,zero_contrast)
    if(NOT curves MATCHES "\n${agent},${curve},")
      message(FATAL_ERROR "curves.csv has no rows ${agent},${curve}")
    endif()
  endforeach()
endforeach()

execute_process(COMMAND /usr/bin/python3 "${SCRIPT}" "${OUT}/run" --out "${OUT}/figures"
                RESULT_VARIABLE rc OUTPUT_VARIABLE listing ERROR_VARIABLE err)
if(rc EQUAL 77)
  message("plot_ibl skipped: matplotlib is not installed (apt-get install python3-matplotlib)")
  return()
endif()
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "scripts/plot_ibl.py exited with ${rc}:\n${listing}\n${err}")
endif()
string(REGEX MATCHALL "[^\n]+\\.png" pngs "${listing}")
list(LENGTH pngs n)
if(NOT n EQUAL 6)
  message(FATAL_ERROR "scripts/plot_ibl.py listed ${n} figures, expected 6:\n${listing}")
endif()
foreach(p ${pngs})
  if(NOT EXISTS "${p}")
    message(FATAL_ERROR "listed but not written: ${p}")
  endif()
  file(READ "${p}" magic LIMIT 4 HEX)
  if(NOT magic STREQUAL "89504e47")
    message(FATAL_ERROR "not a PNG: ${p} (starts with ${magic})")
  endif()
endforeach()
message("examples/ibl: ${n} PNG figures in ${OUT}/figures")
