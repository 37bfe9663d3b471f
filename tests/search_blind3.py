"""A third blind set of held-out plain-language questions for `/objective` lookup (data only).

Provenance: written on 2026-12-03 by a separate session (helper `blind3`) that read only the seed study
guide (its titles and links) and the ids of content/dp100/objectives.yaml. It never saw aliases.yaml,
descriptions.yaml, plain-words.yaml, the question bank, the search code, the other search case sets or
their history, and it never ran the search on these questions. The file was committed before the search
ran on it, so it measures how the search generalises to wording nobody tuned for.

HELD OUT: never use it for tuning. Do not change content (aliases, descriptions, plain words, questions)
or the search code to make these questions pass, and do not edit the questions or their answers after
seeing results; a held-out set that gets tuned to stops measuring anything.

BLIND3: (question, acceptable objective ids). The first id is the one a study partner would point to; a
second id appears only where two objectives are genuinely both right. Questions are phrased as members
talk (goals, symptoms, "how do I"), avoid the guide's title words where possible, run 3 to 12 words and
include a few typos. Spread by exam weight: domain 1 x25, domain 2 x26, domain 3 x35, domain 4 x8
(94 questions; every objective is the first answer of at least one).
OFF_TOPIC3: questions that have nothing to do with DP-100 or Azure ML, several sharing an everyday word
with the guide; they should find nothing.
"""

BLIND3: list[tuple[str, tuple[str, ...]]] = [
    # Domain 1: manage Azure resources for machine learning (25-30%)
    ("where do I even start setting up azure ml in the portal", ("1.1.1",)),
    ("what else gets created with my aml resource, key vault and storage?", ("1.1.1",)),
    ("Workspace.from_config says it cant find config.json", ("1.1.2",)),
    ("what can I click around in at ml.azure.com", ("1.1.3",)),
    ("blob container or data lake gen2 for my training files", ("1.2.1",)),
    ("let azure ml read from my existing storage account", ("1.2.2",)),
    ("change which datastore is the default one", ("1.2.2",)),
    ("tabular vs file data, what's the difference", ("1.2.3",)),
    ("keep a versioned snapshot of my csv so runs are reproducible", ("1.2.3",)),
    ("do I really need a GPU to train a small sklearn model", ("1.3.1",)),
    ("training cluster that drops to zero nodes when idle", ("1.3.2",)),
    ("use my own existing VM to run training jobs", ("1.3.3",)),
    ("see how busy my cluster nodes are and quota usage", ("1.3.4",)),
    ("which built-in role lets a teammate run jobs but not delete stuff", ("1.4.1",)),
    ("permission json with actions and notActions", ("1.4.2",)),
    ("give my colleague access to our ml resource", ("1.4.3",)),
    ("dont want my api password hardcoded in train.py", ("1.4.4",)),
    ("personal jupyter box in the cloud for notebooks", ("1.5.1",)),
    ("can two people use the same notebook vm", ("1.5.2",)),
    ("make a notebook machine for someone else on the team", ("1.5.2",)),
    ("work from vs code on my laptop against azure ml", ("1.5.3", "1.1.2")),
    ("standard or premium tier when spinning up databricks", ("1.6.1",)),
    ("spark cluster auto terminate after two hours idle", ("1.6.2",)),
    ("import a notebook into databricks and attach it", ("1.6.3",)),
    ("connect databricks to azure ml so runs show up in both", ("1.6.4", "2.3.5")),
    # Domain 2: run experiments and train models (20-25%)
    ("build a model by dragging boxes, no code", ("2.1.1",)),
    ("how do I get my csv onto the drag and drop canvas", ("2.1.2",)),
    ("wiring split data into train model, which ports connect", ("2.1.3",)),
    ("run my own python snippet inside the drag-and-drop tool", ("2.1.4",)),
    ("submit train.py from my notebook to a remote cluster", ("2.2.1", "2.2.2")),
    ("pass script arguments and a conda env to the job", ("2.2.2",)),
    ("mount or download my registered data inside train.py", ("2.2.3",)),
    ("DatabricksStep to run my script on a spark cluster", ("2.2.4",)),
    ("train a sklearn model right in a databricks notebok", ("2.2.5",)),
    ("record accuracy every epoch so I can chart it", ("2.3.1",)),
    ("where did my saved pickle go after the job finished", ("2.3.2",)),
    ("my job failed, where are the driver logs", ("2.3.3",)),
    ("why does my experimnet keep failing with a user error", ("2.3.3",)),
    ("mlflow autolog sending sklearn metrics to the workspace", ("2.3.4",)),
    ("view my databricks mlflow runs from outside databricks", ("2.3.5",)),
    ("let azure try lots of models for me in the browser", ("2.4.1",)),
    ("AutoMLConfig settings in python", ("2.4.2",)),
    ("turn off automatic featurization, does it fill missing values?", ("2.4.3",)),
    ("stop auto ml from trying xgboost", ("2.4.4",)),
    ("automl optimise for AUC instead of accuracy", ("2.4.5",)),
    ("grab the winning model after automl finishes", ("2.4.6",)),
    ("random vs grid vs bayesian for hyperparmeter tuning", ("2.5.1",)),
    ("learning rate range with choice and uniform", ("2.5.2",)),
    ("hyperdrive maximize accuracy goal setting", ("2.5.3",)),
    ("kill hopeless tuning trials early to save compute", ("2.5.4",)),
    ("which trial had the best learning rate after the sweep", ("2.5.5",)),
    # Domain 3: deploy and operationalize machine learning solutions (35-40%)
    ("enable https with a tls certificate on my scoring endpoint", ("3.1.1",)),
    ("require keys or tokens to call my web service", ("3.1.1", "3.2.1")),
    ("ACI or AKS for production real-time predictions", ("3.1.2",)),
    ("cheap place to test a model api before prod", ("3.1.2",)),
    ("set cpu cores and memory for my web service", ("3.2.1",)),
    ("autoscale replicas on the kubernetes endpoint", ("3.2.1",)),
    ("push my saved model live as a rest api", ("3.2.2",)),
    ("serve a model I trained in databricks through azure ml", ("3.2.3",)),
    ("call my scoring url from python with json", ("3.2.4", "3.5.3")),
    ("what auth header do I send with the api key", ("3.2.4", "3.5.3")),
    ("deployment stuck in crashloopbackoff", ("3.2.5",)),
    ("score.py init fails when the service starts up", ("3.2.5",)),
    ("test my deployment locally in docker first", ("3.2.5",)),
    ("save my trained pkl with a version number", ("3.3.1",)),
    ("collect the inputs people send to my endpoint", ("3.3.2",)),
    ("app insights request logs for my web service", ("3.3.2",)),
    ("customers changed and incoming data no longer looks like training", ("3.3.3",)),
    ("get alerted when feature distributions shift", ("3.3.3",)),
    ("score millions of images in parallel with mini batches", ("3.4.1",)),
    ("parralel run step entry script init and run", ("3.4.1",)),
    ("how many nodes for my bulk scoring job", ("3.4.2",)),
    ("make my offline scoring workflow callable over REST", ("3.4.3",)),
    ("kick off the bulk scoring job and get the predictions file", ("3.4.4", "3.4.5")),
    ("where is parallel_run_step.txt with all the predictions", ("3.4.5",)),
    ("which AKS cluster do I need before deploying from the canvas", ("3.5.1",)),
    ("turn my drag and drop training flow into a real-time one", ("3.5.2",)),
    ("try my drag-and-drop scoring service with a few sample rows", ("3.5.3", "3.2.4")),
    ("chain data prep and training steps in python", ("3.6.1",)),
    ("hand the cleaned output of step one to step two", ("3.6.2",)),
    ("submit my multi-step workflow, reuse unchanged steps", ("3.6.3",)),
    ("see which step of my workflow is failing", ("3.6.4",)),
    ("start aml training from an azure devops release", ("3.7.1",)),
    ("retrain automatically when new files land in blob storage", ("3.7.2",)),
    ("turn my jupyter notebook into .py files for production", ("3.7.3",)),
    ("keep training code in git, does it record the commit", ("3.7.4",)),
    # Domain 4: implement responsible machine learning (5-10%)
    ("shap tree vs mimic, which one for my model", ("4.1.1",)),
    ("which columns matter most to my classifier", ("4.1.2",)),
    ("why did it predict that for this one customer", ("4.1.2", "4.1.1")),
    ("does my loan model treat women worse than men", ("4.2.1",)),
    ("compare approval rates between age groups", ("4.2.1",)),
    ("reduce bias with fairlearn grid search", ("4.2.2",)),
    ("share aggregate stats without exposing any individual person", ("4.3.1",)),
    ("what epsilon should I pick, privacy vs accuracy", ("4.3.2",)),
]

OFF_TOPIC3: list[str] = [
    "how do I register to vote",
    "how to register a car in texas",
    "best oil pipeline stocks to buy",
    "sales pipeline template for a small business",
    "deploy the troops meaning in history class",
    "compute the area of a circle",
    "compute my taxes on freelance income",
    "role model ideas for teenagers",
    "model train layout for a basement",
    "fashion model casting calls near me",
    "banana bread recipe without eggs",
    "who won the world cup in 2022",
    "cluster headache remedies",
    "standing desk for my home workspace",
    "best notebook for bullet journaling",
    "science fair experiment ideas for kids",
    "drift car racing tips for beginners",
    "is sampling music legal without permission",
    "privacy settings on instagram",
    "what's the weather tomorrow",
]
