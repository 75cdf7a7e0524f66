# Read by the Jupyter server that `make lab` starts (the Makefile puts this folder on JUPYTER_CONFIG_PATH; a learner's
# own ~/.jupyter settings still load, but this file comes first in Jupyter's search order): the lessons open unmodified,
# and saving an unchanged lesson writes it back byte for byte. See course_contents.py and CONTRIBUTING.md ("Notebook metadata").
import sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
c.ServerApp.contents_manager_class = 'course_contents.CourseContentsManager'
