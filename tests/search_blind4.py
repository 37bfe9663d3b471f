"""A fourth blind set of held-out plain-language questions for `/objective` lookup (data only).

Provenance: written on 2026-12-03 by a separate session (helper `blind4`) that read only the study guide
(content/dp100/objectives.yaml and its original, the shared seed guide: ids, titles and links) and its own
knowledge of the Azure Machine Learning (SDK v1) documentation. It never saw aliases.yaml, descriptions.yaml,
plain-words.yaml, the question bank, the search code, the other search case sets or the benches, and it
never ran the search on these questions: no search result was seen while writing them. The file was
committed before the search ran on it, so it measures how the search generalises to wording nobody tuned for.

HELD OUT: never use it for tuning. Do not change content (aliases, descriptions, plain words, questions)
or the search code to make these questions pass, and do not edit the questions or their answers after
seeing results; a held-out set that gets tuned to stops measuring anything.

BLIND4: (question, acceptable objective ids). The first id is the one a study partner would point to; a
second id appears only where two objectives are genuinely both right. Questions are phrased as members
talk (goals, symptoms, "how do I", a few typos and informal words), mostly avoid the guide's title words,
and every objective has at least one; the most asked-about objectives have two or three.

BLIND4_OFF_TOPIC: questions that are not about Azure Machine Learning at all but share everyday words with
it ("model", "train", "deploy", "data", "pipeline", ...); the lookup should return nothing for them.
"""

BLIND4: list[tuple[str, tuple[str, ...]]] = [
    # 1.1 workspace
    ("how do i make a new ml workspace in my azure subscription", ("1.1.1",)),
    ("where do i put the config json so my notebook knows which worspace to connect to", ("1.1.2",)),
    ("set up python on my laptop so it can talk to azure ml", ("1.1.2", "1.5.3")),
    ("what can i actually do in the ml.azure.com web portal", ("1.1.3",)),
    # 1.2 data
    ("blob or data lake gen2, which one should hold my training files", ("1.2.1",)),
    ("connect my blob container to the workspace so i dont paste the account key every time", ("1.2.2",)),
    ("we rotated the storage key, now the connection in aml fails, how to update it", ("1.2.2",)),
    ("tabular vs file dataset whats the difference", ("1.2.3",)),
    ("version my csv so i know which snapshot a model was trained on", ("1.2.3",)),
    # 1.3 compute for experiments
    ("do i need a gpu vm size for deep learning or is cpu fine", ("1.3.1",)),
    ("spin up a cluster that scales down to zero nodes when nobody uses it", ("1.3.2",)),
    ("attach a databricks cluster as compute in my aml workspace", ("1.3.3",)),
    ("how many nodes is my cluster using right now and how busy are they", ("1.3.4",)),
    # 1.4 security and access
    ("what can a reader do compared to a contributor in the workspace", ("1.4.1",)),
    ("write my own permission set in json that blocks deleting compute", ("1.4.2",)),
    ("give a new colleague access to our workspace", ("1.4.3",)),
    ("where should i keep passwords and api keys instead of hardcoding them in train.py", ("1.4.4",)),
    ("read a secret from inside my training run", ("1.4.4",)),
    # 1.5 development environment
    ("auto shutdown my notebook vm at night so it stops costing money", ("1.5.1",)),
    ("can two people use the same notebook vm", ("1.5.2",)),
    ("create a notebook vm on behalf of a student in my class", ("1.5.2", "1.5.1")),
    ("use vs code on my own laptop with my azure ml workspace", ("1.5.3",)),
    # 1.6 Databricks workspace
    ("set up databricks in the azure portal, which pricing tier do i need", ("1.6.1",)),
    ("choose the runtime version and number of workers for a spark cluster in databricks", ("1.6.2",)),
    ("import a notebook and attach it to a cluster in databricks", ("1.6.3",)),
    ("hook up my databricks workspace with azure ml so runs show up in both", ("1.6.4", "2.3.5")),
    # 2.1 designer
    ("build a no-code reggression for car prices in the visual tool", ("2.1.1",)),
    ("get my csv onto the drag-and-drop canvas", ("2.1.2",)),
    ("which blocks do i chain for clean missing data, split, train, score, evaluate", ("2.1.3",)),
    ("run my own pandas code in the middle of a designer graph", ("2.1.4",)),
    # 2.2 training scripts
    ("submit my train.py to the cloud from a notebook", ("2.2.1", "2.2.2")),
    ("pass command line args and pick a conda enviroment for my training script", ("2.2.2",)),
    ("my script needs sklearn 0.24 on the remote cluster, where do i declare packages", ("2.2.2",)),
    ("read a registered dataset inside the training script", ("2.2.3",)),
    ("mount vs download the input files for a job", ("2.2.3",)),
    ("run a python step on a databricks spark cluster from an aml pipeline", ("2.2.4",)),
    ("train a sklearn model inside a databricks notebook", ("2.2.5",)),
    # 2.3 metrics and outputs
    ("record accuracy from my script so it shows up on the run page", ("2.3.1",)),
    ("plot loss per epoch as a chart in studio", ("2.3.1",)),
    ("download the model file my run saved in the outputs folder", ("2.3.2",)),
    ("my run failed and i have no idea why, which log file should i open", ("2.3.3",)),
    ("where does the print output of my script go on remote compute", ("2.3.3",)),
    ("point my open source tracking uri at azure ml so log_metric lands in the workspace", ("2.3.4", "1.5.3")),
    ("see the metrics of my databricks notebook runs in one place", ("2.3.5", "1.6.4")),
    # 2.4 automated ML
    ("try lots of models automatically in the browser without coding", ("2.4.1",)),
    ("set up automl classification from python with a 30 minute limit", ("2.4.2",)),
    ("does automl handle missing values and one-hot encoding by itself", ("2.4.3",)),
    ("stop automl from trying neural nets, only allow tree based models", ("2.4.4",)),
    ("automl optimizes accuracy but my classes are imbalanced, what should it aim for", ("2.4.5",)),
    ("grab the winning model after automl finishes", ("2.4.6",)),
    # 2.5 hyperparameter tuning
    ("grid vs random vs bayesian for tuning, which one", ("2.5.1",)),
    ("learning rate between 0.001 and 0.1 on a log scale, how do i specify that", ("2.5.2",)),
    ("tell the sweep to maximize validation auc", ("2.5.3",)),
    ("kill bad tuning runs early to save money", ("2.5.4",)),
    ("which child run of my sweep had the best learning rate", ("2.5.5",)),
    # 3.1 compute for deployment
    ("enable https with a certificate on my scoring endpoint", ("3.1.1",)),
    ("put my inference endpoint inside a private vnet", ("3.1.1",)),
    ("aci or aks for production traffic", ("3.1.2",)),
    ("cheapest place to host a test web service for a demo", ("3.1.2",)),
    # 3.2 deploy as a service
    ("how much cpu and memory should each replica of my service get", ("3.2.1",)),
    ("turn on autoscaling for my kubernetes web service", ("3.2.1",)),
    ("put model version 3 behind a rest api", ("3.2.2",)),
    ("serve a model trained in databricks as an azure ml web service", ("3.2.3",)),
    ("send json to my scoring uri with python requests", ("3.2.4", "3.5.3")),
    ("what goes in the authorization header when i call the service", ("3.2.4", "3.5.3")),
    ("my web service is stuck unhealthy, how do i see the container logs", ("3.2.5",)),
    ("service keeps crashing on startup because init cant load the model", ("3.2.5",)),
    ("test my scoring script in local docker before pushing to aks", ("3.2.5",)),
    # 3.3 manage models
    ("save my trained pkl into the workspace with a version number and tags", ("3.3.1",)),
    ("collect the inputs and predictions my production model gets", ("3.3.2",)),
    ("track request count and latency for my endpoint with app insights", ("3.3.2",)),
    ("incoming data looks different from what i trained on, how do i get alerted", ("3.3.3",)),
    ("compare this months data to the baseline on a schedule", ("3.3.3",)),
    # 3.4 batch inference
    ("score millions of files by splitting them into mini batches across nodes", ("3.4.1",)),
    ("how many nodes and processes per node for the overnight scoring job", ("3.4.2", "3.4.1")),
    ("turn my offline scoring job into a rest endpoint others can trigger", ("3.4.3",)),
    ("kick off the bulk prediction job and then grab the results file", ("3.4.4", "3.4.5")),
    ("where does the parallel_run_step.txt file end up, i need the predictions", ("3.4.5", "3.4.4")),
    # 3.5 designer pipeline as a web service
    ("make a kubernetes cluster to host my drag-and-drop model", ("3.5.1",)),
    ("convert the designer training graph into a real-time scoring graph", ("3.5.2",)),
    ("call the endpoint i published from the designer", ("3.5.3", "3.2.4")),
    # 3.6 SDK pipelines
    ("chain a data prep script and a training script into one workflow in python", ("3.6.1",)),
    ("hand the cleaned data from step 1 to step 2", ("3.6.2",)),
    ("intermediate files between scripts in a multi-step pipline", ("3.6.2",)),
    ("submit the workflow i built as an experiment", ("3.6.3",)),
    ("see the status of each step in my multi-step job and which one failed", ("3.6.4",)),
    # 3.7 MLOps
    ("start an aml workflow automatically when someone pushes to the repo, using azure devops", ("3.7.1",)),
    ("ci/cd release that kicks off model training", ("3.7.1",)),
    ("retrain automatically whenever new files land in the blob container", ("3.7.2",)),
    ("retrain when the drift alert fires", ("3.7.2", "3.3.3")),
    ("turn my messy jupyter notebook into a proper py file with functions", ("3.7.3",)),
    ("keep my training code in git and have runs remember the commit", ("3.7.4",)),
    # 4.1 explainers
    ("which explainer should i use for a black-box deep net", ("4.1.1",)),
    ("which columns drive my models predictions the most", ("4.1.2",)),
    ("why did the model reject this one customer, per-row explanation", ("4.1.2",)),
    # 4.2 fairness
    ("does my loan model approve men and women at different rates", ("4.2.1",)),
    ("compare selection rate across age groups", ("4.2.1",)),
    ("my model is biased against one group, how do i reduce that", ("4.2.2",)),
    # 4.3 privacy
    ("share aggregate stats without exposing any single patient's record", ("4.3.1",)),
    ("how much noise to add before the results become useless", ("4.3.2",)),
    ("lower epsilon means more privacy but less accurate answers, whats the tradeoff", ("4.3.2", "4.3.1")),
]

BLIND4_OFF_TOPIC: list[str] = [
    "model train set for my kid",
    "best model railway track layouts for a small room",
    "train times from boston to new york",
    "how to deploy troops in the risk board game",
    "my phone data plan keeps running out",
    "pipeline plumbing leak under the kitchen sink",
    "fashion model agency near me",
    "how do i train my puppy to sit",
    "compute the tip on a restaurant bill",
    "register my car at the dmv",
    "science fair experiment ideas for fifth grade",
    "marathon training plan for beginners",
    "how to score a bowling game",
    "sales pipeline stages for a small business",
    "good role model for teenagers",
    "monitor my blood pressure at home",
    "how long to bake a batch of cookies",
    "feature film recommendations for the weekend",
    "drift fishing technique for walleye",
    "ergonomic desk height for a home workspace",
]
