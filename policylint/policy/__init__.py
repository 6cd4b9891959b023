"""The IAM policy language: one normalised model, its grammar, an evaluator and "public".

* :mod:`.document` turns a :class:`~policylint.model.PolicyDocument` into statements, once;
* :mod:`.grammar` validates a document (JSON Schema plus the checks a schema cannot express);
* :mod:`.evaluate` answers "is this request allowed?" the way AWS does, with *unknown* as a result;
* :mod:`.public` decides whether a bucket-policy statement is public (AWS's meaning of public).
"""
