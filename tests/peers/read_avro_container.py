#!/usr/bin/python3
"""Reads an Avro object container file with python3-avro (an independent reader) and prints one JSON
line per record. usage: read_avro_container.py FILE"""
import json
import sys

from avro.datafile import DataFileReader
from avro.io import DatumReader

with open(sys.argv[1], "rb") as f:
    for rec in DataFileReader(f, DatumReader()):
        body = rec["body"]
        print(json.dumps({"headers": rec["headers"], "body": body.decode("utf-8", "replace")}))
