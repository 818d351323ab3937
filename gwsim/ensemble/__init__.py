"""Ensembles: how sure are the capture and protection zones?

A scenario of kind ``"uncertainty"`` (:mod:`.scenario`) draws site parameters from stated
distributions (:mod:`.distributions`) and ln-K random fields per hydrogeologic unit, optionally
conditioned on measured K (:mod:`.fields`, gstools). Each realization (:mod:`.realization`) builds
its spec from the scenario and its seed, runs MODFLOW 6 in its own workspace and delineates the
zones; :mod:`.runner` runs the realizations as dask.distributed tasks (a local cluster or an
existing scheduler) and :mod:`.reduce` folds them into running counts as they arrive, recording
each so that an interrupted ensemble resumes. :mod:`.products` writes the probability maps
(netCDF, GeoJSON, PNG), zone-area percentiles and the parameters that drive the spread, and the
products of the analyses a scenario asks for: the spread of leak risk at receptors
(:mod:`.risk_products`) and the detection probability of candidate monitoring wells
(:mod:`.detection_products`).
"""
