"""Held-out plain-language queries for `/objective` lookup (data only).

Written blind on 2026-12-02: the author read only content/dp100/objectives.yaml and the seed study
guide, never plain-words.yaml, aliases.yaml, the question bank or the tuned search cases, and wrote
this file before running any search. It measures how search generalises to wording nobody tuned for.

DO NOT use these queries to tune plain-words.yaml, aliases.yaml or the search code: a held-out set
that gets tuned to stops measuring anything. Add tuning cases to tests/search_cases.py instead.

HELDOUT: (query, acceptable objective ids); the first id is the one a study partner would point to,
a second one is listed only where two objectives honestly fit. Spread by exam weight:
domain 1 x15, domain 2 x12, domain 3 x18, domain 4 x5. Seven queries name an SDK class or function.
OFF_TOPIC: queries sharing words with ML vocabulary that are not about the exam; they should find nothing.
"""

HELDOUT: tuple[tuple[str, tuple[str, ...]], ...] = (
    # Domain 1: manage Azure resources for machine learning
    ("how do I make a new azure ml workspace from python", ("1.1.1",)),
    ("Workspace.from_config can't find my config file, where does it go", ("1.1.2",)),
    ("should I keep training data in blob storage or data lake gen2", ("1.2.1",)),
    ("connect my blob container to the workspace so scripts can read files from it", ("1.2.2", "1.2.1")),
    ("difference between tabular and file datasets", ("1.2.3",)),
    ("which VM size should I pick when training needs a GPU", ("1.3.1",)),
    ("set up a training cluster that scales down to zero nodes when idle", ("1.3.2", "1.3.1")),
    ("use my existing databricks cluster as a compute target in azure ml", ("1.3.3",)),
    ("how can I see how busy my cluster nodes are", ("1.3.4",)),
    ("write my own role that lets people submit runs but not create compute", ("1.4.2", "1.4.1")),
    ("give a colleague contributor access to our workspace", ("1.4.3", "1.4.1")),
    ("where do I keep passwords and connection secrets instead of hardcoding them in the script", ("1.4.4",)),
    ("set up a personal notebook VM in the workspace for development", ("1.5.1",)),
    ("connect to my workspace from VS Code on my laptop", ("1.5.3",)),
    ("how do I spin up a spark cluster in databricks", ("1.6.2",)),
    # Domain 2: run experiments and train models
    ("build a training pipeline by dragging modules around with no code", ("2.1.1", "2.1.3")),
    ("run my own python code inside a designer pipeline", ("2.1.4",)),
    ("what goes into a ScriptRunConfig", ("2.2.2",)),
    ("pass a registered dataset into my training script as an input", ("2.2.3",)),
    ("record accuracy with run.log so it shows up in the studio", ("2.3.1",)),
    ("my run failed, where do I find the driver log to see why", ("2.3.3",)),
    ("log parameters with mlflow and see them in the azure ml workspace", ("2.3.4",)),
    ("try automl in the browser without writing code", ("2.4.1",)),
    ("how does automl handle missing values and scaling of features", ("2.4.3",)),
    ("which metric should automated ml optimise for imbalanced classes", ("2.4.5",)),
    ("random vs grid vs bayesian when tuning hyperparameters", ("2.5.1",)),
    ("stop badly performing hyperparameter runs early with a BanditPolicy", ("2.5.4",)),
    # Domain 3: deploy and operationalize machine learning solutions
    ("enable authentication and TLS on my scoring endpoint", ("3.1.1",)),
    ("should I deploy to ACI or AKS for production", ("3.1.2", "3.2.1")),
    ("how much cpu and memory to give my web service and how to autoscale it", ("3.2.1",)),
    ("what is the entry script with init and run for when deploying a model", ("3.2.2", "3.2.1")),
    ("call my real-time endpoint from a python app with a json payload", ("3.2.4", "3.5.3")),
    ("my deployment fails because the container crashed, how do I debug it locally", ("3.2.5",)),
    ("Model.register to save a new version of my trained model", ("3.3.1",)),
    ("collect the inputs sent to my deployed model and look at them in application insights", ("3.3.2",)),
    ("detect when production data starts to look different from the training data", ("3.3.3",)),
    ("score millions of images in parallel across a cluster", ("3.4.1", "3.4.2")),
    ("where do the predictions end up after a parallel batch scoring step finishes", ("3.4.5", "3.4.4")),
    ("publish a batch scoring pipeline so it can be called over REST", ("3.4.3",)),
    ("turn my designer training pipeline into a real-time inference pipeline", ("3.5.2",)),
    ("hand the output of one step to the next step with PipelineData", ("3.6.2",)),
    ("run a pipeline on a schedule every night", ("3.6.3", "3.7.2")),
    ("start my ml pipeline automatically from our CI/CD release", ("3.7.1",)),
    ("retrain the model automatically when new data lands in the datastore", ("3.7.2",)),
    ("convert my jupyter notebook into a python script for production", ("3.7.3",)),
    # Domain 4: implement responsible machine learning
    ("TabularExplainer vs MimicExplainer, which one for my model", ("4.1.1",)),
    ("which features mattered most for my model's predictions", ("4.1.2",)),
    ("check if my loan model treats men and women differently", ("4.2.1",)),
    ("reduce unfair predictions between groups in my model", ("4.2.2",)),
    ("add noise to query results so individuals can't be identified", ("4.3.1", "4.3.2")),
)

OFF_TOPIC: tuple[str, ...] = (
    "train schedule to Berlin",
    "pipeline repair plumber near me",
    "how to register my car in Texas",
    "best model kit for a beginner plane builder",
    "ergonomic workspace desk for a home office",
    "chocolate cake recipe for a batch of twenty people",
    "dog training classes on weekends",
    "fishing spots on a frozen lake",
    "cluster headache remedies",
    "bandit movie cast from the nineties",
    "notebook paper sizes A4 vs letter",
    "fireproof safe to keep jewelry at home",
    "baking soda volcano experiment for kids",
    "fair price for a used bicycle",
    "container ship arrivals at Rotterdam port",
)
