"""Small templates several test modules scan."""

# A bucket that delivers its access logs to itself (PL101, and the usual S3 findings).
LOOP = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Logs:
    Type: AWS::S3::Bucket
    Properties:
      LoggingConfiguration:
        LogFilePrefix: self/
"""

# A template with no finding at all.
CLEAN = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Topic:
    Type: AWS::SNS::Topic
"""
