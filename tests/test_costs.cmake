# Read by ctest after the discovered tests: the longest tests get a COST, so that `ctest --parallel` starts them
# first instead of leaving one running alone at the end (ctest orders by cost, highest first, when it has no timing
# data of its own yet, as in a fresh clone). Figures: seconds in the Release pass on 2 cores (docs/testing.md).
set(dcgan_slow_tests
  "SwdTest.FallsAsATinyRealSetIsTrainedOn:25"
  "Precision/CliKillResume.SigkillAtARandomMomentThenResumeIsExact/fp32:12"
  "Precision/CliKillResume.SigkillAtARandomMomentThenResumeIsExact/bf16:12"
  "Precision/CliKillResume.SigkillAtARandomMomentThenResumeIsExact/conditional:12"
  "CliConditional.TrainSampleAClassAndAClassifierReadsTheClasses:13"
  "CliDistributed.BadLaunchSettingsFailWithinTheTimeoutWithOneLine:10"
  "CliInterop.EvalWithAUserFeatureExtractor:8"
  "CliEval.PrintsSwdPerLevelAndTheRealFloor:8"
  "CliInterop.ExportLoadsInTheTutorialsGeneratorAndPythonStateDictsLoadHere:8"
  "SwdTest.RealHalvesAreFarCloserThanNoiseOrAnUntrainedGenerator:6"
  "CliDistributed.AHungRankMakesTheOtherTimeOut:6"
  "Cli.SameConfigSameSeedSameMetrics:6"
  "CliDistributed.ResumesExactlyWithTheSameWorldSizeAndRefusesAnother:6"
  "Cli.EvaluationKeepsTheBestGeneratorAndTheAverageIsSampled:5")
foreach(entry IN LISTS dcgan_slow_tests)
  string(REPLACE ":" ";" parts "${entry}")
  list(GET parts 0 name)
  list(GET parts 1 cost)
  set_tests_properties("${name}" PROPERTIES COST ${cost})
endforeach()
