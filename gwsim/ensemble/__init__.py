"""Ensembles: probabilistic capture and protection zones from many realizations of uncertain
parameters, run as dask.distributed tasks (see ``docs`` and :mod:`gwsim.ensemble.scenario`)."""
